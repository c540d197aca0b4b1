/// One token version as the admin API answers it and `show --json` prints it: metadata and
/// the fingerprint, never the token.
public struct VersionView: Codable, Sendable, Equatable {
    public var version: Int64
    public var status: String
    public var fingerprint: String
    public var source: String
    public var createdAt: String
    public var activatedAt: String?
    public var retiredAt: String?
    public var destroyAfter: String?
    public var destroyedAt: String?
    public var actor: String?
    public var actorUID: Int?
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case version, status, fingerprint, source, createdAt = "created_at", activatedAt = "activated_at", retiredAt = "retired_at"
        case destroyAfter = "destroy_after", destroyedAt = "destroyed_at", actor, actorUID = "actor_uid", reason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(source, forKey: .source)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(activatedAt, forKey: .activatedAt)
        try c.encode(retiredAt, forKey: .retiredAt)
        try c.encode(destroyAfter, forKey: .destroyAfter)
        try c.encode(destroyedAt, forKey: .destroyedAt)
        try c.encode(actor, forKey: .actor)
        try c.encode(actorUID, forKey: .actorUID)
        try c.encode(reason, forKey: .reason)
    }

    public init(_ v: TokenVersionInfo) {
        version = v.version
        status = v.status.rawValue
        fingerprint = v.fingerprint
        source = v.source.rawValue
        createdAt = Timestamp.iso(v.createdAt)
        activatedAt = v.activatedAt.map(Timestamp.iso)
        retiredAt = v.retiredAt.map(Timestamp.iso)
        destroyAfter = v.destroyAfter.map(Timestamp.iso)
        destroyedAt = v.destroyedAt.map(Timestamp.iso)
        actor = v.actor?.user
        actorUID = v.actor.map { Int($0.uid) }
        reason = v.reason
    }

    /// Who made this version, as text prints it (`user (uid N)`).
    public var actorDisplay: String? { actor.map { "\($0) (uid \(actorUID.map(String.init) ?? "?"))" } }
}
