/// A partner's JWT session as the admin API answers it and `jwt status --json` prints it: its
/// state and times, never the token.
public struct JWTSessionView: Codable, Sendable, Equatable {
    public var credential: String
    public var state: String
    public var hasLoginCredentials: Bool
    public var issuedAt: String?
    public var expiresAt: String?
    /// Only while the session is valid.
    public var expiresInSeconds: Int64?
    public var lastRefreshAt: String?
    public var lastError: String?
    public var retryAt: String?
    /// The last token's lifetime in seconds, and whether it is too short to serve between
    /// logins (`JWTSessionRules.tooShort`).
    public var lifetimeSeconds: Int64?
    public var lifetimeTooShort: Bool

    public init(credential: String, state: String, hasLoginCredentials: Bool, issuedAt: Int64?, expiresAt: Int64?,
                lastRefreshAt: Int64?, lastError: String?, retryAt: Int64?, lifetimeTooShort: Bool = false, now: Int64) {
        self.credential = credential
        self.state = state
        self.hasLoginCredentials = hasLoginCredentials
        self.issuedAt = issuedAt.map(Timestamp.iso)
        self.expiresAt = expiresAt.map(Timestamp.iso)
        expiresInSeconds = state == "valid" ? expiresAt.map { max(0, $0 - now) } : nil
        self.lastRefreshAt = lastRefreshAt.map(Timestamp.iso)
        self.lastError = lastError
        self.retryAt = retryAt.map(Timestamp.iso)
        lifetimeSeconds = issuedAt.flatMap { i in expiresAt.map { $0 - i } }
        self.lifetimeTooShort = lifetimeTooShort
    }

    enum CodingKeys: String, CodingKey {
        case credential, state, hasLoginCredentials = "has_login_credentials", issuedAt = "issued_at", expiresAt = "expires_at"
        case expiresInSeconds = "expires_in_seconds", lastRefreshAt = "last_refresh_at", lastError = "last_error", retryAt = "retry_at"
        case lifetimeSeconds = "lifetime_seconds", lifetimeTooShort = "lifetime_too_short"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(credential, forKey: .credential)
        try c.encode(state, forKey: .state)
        try c.encode(hasLoginCredentials, forKey: .hasLoginCredentials)
        try c.encode(issuedAt, forKey: .issuedAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(expiresInSeconds, forKey: .expiresInSeconds)
        try c.encode(lastRefreshAt, forKey: .lastRefreshAt)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(retryAt, forKey: .retryAt)
        try c.encode(lifetimeSeconds, forKey: .lifetimeSeconds)
        try c.encode(lifetimeTooShort, forKey: .lifetimeTooShort)
    }

    /// How long the token has left, as `jwt status` prints it.
    public var expiresInText: String {
        guard let left = expiresInSeconds else { return "-" }
        return left <= 0 ? "expired" : (left >= 120 ? "\(left / 60) min" : "\(left) s")
    }
}
