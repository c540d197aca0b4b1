/// What one account's rotation standing is computed from, as the store reads it for a whole
/// vault in one pass (the metrics tally, the due listing) without loading its rows.
public struct RotationInput: Sendable, Equatable {
    public var authID: String
    public var state: AccountState
    /// Per-account overrides, in seconds; nil means the config's `[rotation]` default.
    public var maxAge: Int64?
    public var warn: Int64?
    /// When the active version became active (its creation when it never was); nil without one.
    public var activatedAt: Int64?
    /// Vobiz refused its token (401) at its last use.
    public var rejected: Bool

    public init(authID: String, state: AccountState, maxAge: Int64?, warn: Int64?, activatedAt: Int64?, rejected: Bool = false) {
        self.rejected = rejected
        self.authID = authID
        self.state = state
        self.maxAge = maxAge
        self.warn = warn
        self.activatedAt = activatedAt
    }

    /// The same standing `AccountInfo.schedule` gives; nil without an active version.
    public func schedule(defaults: RotationPolicy, now: Int64, window: TimeSpan? = nil) -> RotationSchedule? {
        guard let activatedAt else { return nil }
        let policy = RotationPolicy(maxAge: maxAge.map(TimeSpan.init(seconds:)) ?? defaults.maxAge,
                                    warn: warn.map(TimeSpan.init(seconds:)) ?? defaults.warn)
        return RotationSchedule(activatedAt: activatedAt, policy: policy, now: now, window: window)
    }
}
