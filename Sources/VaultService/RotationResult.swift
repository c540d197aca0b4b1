import VaultCore

/// What `rotate` or `rollback` changed.
public struct RotationResult: Sendable, Equatable {
    public let authID: AuthID
    public let activeVersion: Int64
    public let activeFingerprint: String
    /// The version that stepped back to `previous` (nil when it was destroyed at once).
    public let previousVersion: Int64?
    /// When the previous version will be destroyed.
    public let previousDestroyAfter: Int64?
}
