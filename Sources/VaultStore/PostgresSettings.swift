import VaultCore

/// How to reach the PostgreSQL server of a fleet: `[store]` of the config, with the password
/// read from its file by the caller (it is never in the config itself).
public struct PostgresSettings: Sendable {
    public enum TLS: String, Sendable, CaseIterable {
        /// Plain text: for a Unix socket or a loopback server only.
        case disable
        /// Encrypted, the server's certificate not checked (libpq's `sslmode=require`).
        case require
        /// Encrypted, the certificate checked against `caFile` (or the system's roots) and the host name.
        case verifyFull = "verify-full"
    }

    public var url: PostgresURL
    public var password: String?
    public var tls: TLS
    public var caFile: String?
    public var poolSize: Int
    /// How long opening a connection may take before the store reports the server unavailable.
    public var connectTimeoutMillis: Int64
    /// How long one statement may go unanswered before its connection is closed and the store
    /// reported unavailable: past the server's own statement timeout (60 s), so only a server
    /// or a network that went silent reaches it.
    public var answerSeconds: Double
    public static let defaultAnswerSeconds: Double = 65
    /// This host's name in the fleet (`[fleet] host`): its key slot, its change and audit rows,
    /// and `pg_stat_activity.application_name` of its connections.
    public var host: String

    public init(url: PostgresURL, password: String?, tls: TLS = .disable, caFile: String? = nil, poolSize: Int = 4,
                connectTimeoutMillis: Int64 = 1000, answerSeconds: Double = PostgresSettings.defaultAnswerSeconds, host: String) {
        self.url = url
        self.password = password
        self.tls = tls
        self.caFile = caFile
        self.poolSize = max(1, poolSize)
        self.connectTimeoutMillis = connectTimeoutMillis
        self.answerSeconds = answerSeconds
        self.host = host
    }
}
