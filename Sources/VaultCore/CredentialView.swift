/// One credential as the admin API answers it and `list --json`/`show --json` print it: the
/// stable field names of the public surface, never a token. Absent values are `null`, so
/// every key is always there; `versions` is there only where versions were asked for.
public struct CredentialView: Codable, Sendable, Equatable {
    public var authID: String
    public var kind: String
    public var label: String
    public var parent: String?
    public var state: String
    public var stateChangedAt: String?
    public var stateReason: String?
    public var createdAt: String
    public var activeVersion: Int64?
    public var fingerprint: String?
    public var activatedAt: String?
    public var rotation: Rotation
    public var versionsCount: Int
    public var upstreamRejected: Rejection?
    public var versions: [VersionView]?

    public struct Rotation: Codable, Sendable, Equatable {
        public var maxAge: String
        public var warn: String
        /// `default` (the config's `[rotation]`) or `account` (set with `edit`).
        public var policy: String
        public var dueAt: String?
        public var standing: String?
        public var secondsUntilDue: Int64?

        enum CodingKeys: String, CodingKey {
            case maxAge = "max_age", warn, policy, dueAt = "due_at", standing, secondsUntilDue = "seconds_until_due"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(maxAge, forKey: .maxAge)
            try c.encode(warn, forKey: .warn)
            try c.encode(policy, forKey: .policy)
            try c.encode(dueAt, forKey: .dueAt)
            try c.encode(standing, forKey: .standing)
            try c.encode(secondsUntilDue, forKey: .secondsUntilDue)
        }
    }

    /// Vobiz refused the active token: when, and on which use.
    public struct Rejection: Codable, Sendable, Equatable {
        public var at: String
        public var by: String
    }

    enum CodingKeys: String, CodingKey {
        case authID = "auth_id", kind, label, parent, state, stateChangedAt = "state_changed_at", stateReason = "state_reason"
        case createdAt = "created_at", activeVersion = "active_version", fingerprint, activatedAt = "activated_at"
        case rotation, versionsCount = "versions_count", upstreamRejected = "upstream_rejected", versions
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(authID, forKey: .authID)
        try c.encode(kind, forKey: .kind)
        try c.encode(label, forKey: .label)
        try c.encode(parent, forKey: .parent)
        try c.encode(state, forKey: .state)
        try c.encode(stateChangedAt, forKey: .stateChangedAt)
        try c.encode(stateReason, forKey: .stateReason)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(activeVersion, forKey: .activeVersion)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(activatedAt, forKey: .activatedAt)
        try c.encode(rotation, forKey: .rotation)
        try c.encode(versionsCount, forKey: .versionsCount)
        try c.encode(upstreamRejected, forKey: .upstreamRejected)
        try c.encodeIfPresent(versions, forKey: .versions)
    }

    /// The view of `info` at `now` under the `defaults` policy.
    public init(_ info: AccountInfo, defaults: RotationPolicy, now: Int64, withVersions: Bool) {
        let active = info.activeVersion
        let schedule = info.schedule(defaults: defaults, now: now)
        let p = info.policy(defaults: defaults)
        authID = info.authID.rawValue
        kind = info.kind.rawValue
        label = info.label
        parent = info.parent?.rawValue
        state = info.state.rawValue
        stateChangedAt = info.stateChangedAt.map(Timestamp.iso)
        stateReason = info.stateReason
        createdAt = Timestamp.iso(info.createdAt)
        activeVersion = active?.version
        fingerprint = active?.fingerprint
        activatedAt = (active?.activatedAt).map(Timestamp.iso)
        rotation = Rotation(maxAge: p.maxAge.description, warn: p.warn.description,
                            policy: info.maxAge == nil && info.warn == nil ? "default" : "account",
                            dueAt: schedule.map { Timestamp.iso($0.dueAt) }, standing: schedule?.standing.rawValue,
                            secondsUntilDue: schedule?.secondsUntilDue)
        versionsCount = info.versions.count
        upstreamRejected = info.rejection.map { Rejection(at: Timestamp.iso($0.at), by: $0.by) }
        versions = withVersions ? info.versions.map(VersionView.init) : nil
    }
}
