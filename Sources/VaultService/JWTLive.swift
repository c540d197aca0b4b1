import VaultCore
import VaultCrypto

/// A partner JWT session as the daemon holds it between requests.
struct JWTLive: Sendable {
    var token: SecureBytes?
    var issuedAt: Int64 = 0
    var expiresAt: Int64 = 0
    var refreshAfter: Int64 = 0
    var lastUsed: Int64 = 0
    /// Invalid credentials or a rejected token: no login until the credentials change or an
    /// operator forces one.
    var failed: String?
    /// Consecutive logins that failed for a network reason, and when the next may start.
    var networkFailures = 0
    var retryAt: Int64 = 0
}

/// How a login ended.
enum JWTLoginOutcome: Sendable {
    case ok
    case failed(String)
    case retryLater(String)
}

/// A session as `jwt status` shows it.
public struct JWTSessionStatus: Sendable {
    public let authID: AuthID
    public let hasLoginCredentials: Bool
    public let state: String
    public let issuedAt: Int64?
    public let expiresAt: Int64?
    public let lastRefreshAt: Int64?
    public let lastError: String?
    public let retryAt: Int64?
    /// The last token lives too short to serve between logins (`JWTSessionRules.tooShort`).
    public let lifetimeTooShort: Bool
}

/// The answer of `POST /v1/jwt`.
public struct IssuedJWT: Sendable {
    public let accessToken: SecureBytes
    public let expiresAt: Int64
    public let authID: AuthID
}
