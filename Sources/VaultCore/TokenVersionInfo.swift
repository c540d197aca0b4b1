/// Metadata of one token version, as `show` prints it. Holds no secret: only the fingerprint.
public struct TokenVersionInfo: Hashable, Sendable {
    public var version: Int64
    public var status: TokenStatus
    public var fingerprint: String
    public var source: TokenSource
    public var createdAt: Int64
    public var activatedAt: Int64?
    public var retiredAt: Int64?
    public var destroyAfter: Int64?
    public var destroyedAt: Int64?
    public var actor: ActorIdentity?
    public var reason: String?

    public init(version: Int64, status: TokenStatus, fingerprint: String, source: TokenSource, createdAt: Int64,
                activatedAt: Int64?, retiredAt: Int64?, destroyAfter: Int64?, destroyedAt: Int64?,
                actor: ActorIdentity?, reason: String?) {
        self.version = version
        self.status = status
        self.fingerprint = fingerprint
        self.source = source
        self.createdAt = createdAt
        self.activatedAt = activatedAt
        self.retiredAt = retiredAt
        self.destroyAfter = destroyAfter
        self.destroyedAt = destroyedAt
        self.actor = actor
        self.reason = reason
    }
}
