import Foundation

/// `PostgresTransaction.headAtLock`: the audit head's row number and the MAC of the row it
/// names (nil if that row is missing), as read right after the write lock was taken.
final class HeadAtLock {
    var read: (seq: Int64, mac: Data?)?
}
