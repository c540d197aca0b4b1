/// A partner's JWT session as the books show it (no token).
public struct JWTSessionInfo: Hashable, Sendable {
    /// `empty`, `valid` or `failed`.
    public var state: String
    public var issuedAt: Int64?
    public var expiresAt: Int64?
    public var lastRefreshAt: Int64?
    public var lastError: String?
    public var hasLoginCredentials: Bool

    public init(state: String, issuedAt: Int64? = nil, expiresAt: Int64?, lastRefreshAt: Int64?, lastError: String?, hasLoginCredentials: Bool) {
        self.state = state
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.lastRefreshAt = lastRefreshAt
        self.lastError = lastError
        self.hasLoginCredentials = hasLoginCredentials
    }

    /// The last token's lifetime as Vobiz gave it, when there is one.
    public var lifetime: Int64? {
        guard let issuedAt, let expiresAt else { return nil }
        return expiresAt - issuedAt
    }
}
