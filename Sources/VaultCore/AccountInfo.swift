/// Metadata of one credential and its versions, as `list` and `show` print it.
public struct AccountInfo: Hashable, Sendable {
    public var authID: AuthID
    public var kind: CredentialKind
    public var label: String
    public var parent: AuthID?
    public var state: AccountState
    public var stateChangedAt: Int64?
    public var stateReason: String?
    /// Per-account overrides; nil means the config's `[rotation]` default.
    public var maxAge: TimeSpan?
    public var warn: TimeSpan?
    public var createdAt: Int64
    /// Newest first.
    public var versions: [TokenVersionInfo]
    /// Vobiz refused the active token (401) at its last use; nil when it was accepted since.
    public var rejection: UpstreamRejection?
    /// The partner's JWT session, when it has login credentials or a session.
    public var jwt: JWTSessionInfo?

    public init(authID: AuthID, kind: CredentialKind, label: String, parent: AuthID?, state: AccountState,
                stateChangedAt: Int64?, stateReason: String?, maxAge: TimeSpan?, warn: TimeSpan?,
                createdAt: Int64, versions: [TokenVersionInfo], rejection: UpstreamRejection? = nil) {
        self.authID = authID
        self.kind = kind
        self.label = label
        self.parent = parent
        self.state = state
        self.stateChangedAt = stateChangedAt
        self.stateReason = stateReason
        self.maxAge = maxAge
        self.warn = warn
        self.createdAt = createdAt
        self.versions = versions
        self.rejection = rejection
    }

    public var activeVersion: TokenVersionInfo? { versions.first { $0.status == .active } }

    /// This account's policy: its overrides over `defaults`.
    public func policy(defaults: RotationPolicy) -> RotationPolicy {
        RotationPolicy(maxAge: maxAge ?? defaults.maxAge, warn: warn ?? defaults.warn)
    }

    /// Rotation standing of the active version; nil when there is none.
    public func schedule(defaults: RotationPolicy, now: Int64, window: TimeSpan? = nil) -> RotationSchedule? {
        guard let active = activeVersion else { return nil }
        return RotationSchedule(activatedAt: active.activatedAt ?? active.createdAt,
                                policy: policy(defaults: defaults), now: now, window: window)
    }
}
