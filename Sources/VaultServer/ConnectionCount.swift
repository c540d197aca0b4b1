import NIOConcurrencyHelpers

/// Open connections across both sockets.
final class ConnectionCount: Sendable {
    private let count = NIOLockedValueBox(0)

    func open(limit: Int) -> Bool {
        count.withLockedValue {
            guard $0 < limit else { return false }
            $0 += 1
            return true
        }
    }

    func closed() { count.withLockedValue { $0 -= 1 } }
}
