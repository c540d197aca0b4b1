/// The configuration file's model (Docs/configuration.md). Every key has a default, so an empty file is
/// a valid configuration. Parsing lives in VaultService; the values and their rules live here.
public struct VaultConfig: Sendable, Equatable {
    public struct Vault: Sendable, Equatable {
        public var stateDir = "/var/lib/vobiz-vault"
        public var keyFile: String?
    }

    public struct Upstream: Sendable, Equatable {
        public var baseURL = "https://api.vobiz.ai"
        public var allowInsecureUpstream = false
        /// How long a connection to the upstream may take to open.
        public var connectTimeout = TimeSpan(seconds: 5)
        /// How long one upstream call may take in all, answer included.
        public var timeout = TimeSpan(seconds: 30)
        /// The largest answer body the proxy carries back (bytes).
        public var maxBody = 10 << 20
        /// The largest request body the proxy carries out (bytes): API requests are small, and
        /// a body is read whole before it is authorised.
        public var maxRequestBody = 1 << 20
        /// HTTP/1.1 connections to the upstream open at once: each carries one call at a time,
        /// so this is how many proxied calls can be in flight (further calls wait for one). An
        /// HTTP/2 upstream carries many calls on one connection.
        public var maxConnections = 64
    }

    public struct Sockets: Sendable, Equatable {
        public var client = "/run/vobiz-vault/vault.sock"
        public var admin = "/run/vobiz-vault/admin.sock"
        public var clientGroup = "vobiz-vault-clients"
        public var clientMode: UInt32 = 0o660
        public var adminGroup: String?
        /// `host:port` of the loopback TCP listener of the proxy (off when nil); see `LoopbackEndpoint`.
        public var proxyTCP: String?
        /// The user the daemon runs as; clients refuse a socket served by anyone else.
        /// Default: the owner of `[vault] state_dir`.
        public var daemonUser: String?
    }

    public struct Rotation: Sendable, Equatable {
        public var maxAge = TimeSpan.days(90)
        public var warn = TimeSpan.days(14)
        public var grace = TimeSpan.days(7)
        public var masterKeyMaxAge = TimeSpan.days(365)
        /// Whether `rotate` checks a new token with the upstream unless told `--no-verify`.
        public var verify = false

        public var policy: RotationPolicy { RotationPolicy(maxAge: maxAge, warn: warn) }
    }

    public struct JWT: Sendable, Equatable {
        public var refreshMargin = TimeSpan(seconds: 300)
        public var refreshFloor = TimeSpan(seconds: JWTSessionRules.defaultRefreshFloor)

        public var rules: JWTSessionRules { JWTSessionRules(refreshMargin: refreshMargin.seconds, refreshFloor: refreshFloor.seconds) }
    }

    public enum Durability: String, Sendable, Equatable {
        case batch, sync
    }

    public struct Audit: Sendable, Equatable {
        public var durability = Durability.batch
    }

    /// `[metrics]`: a loopback TCP address where Prometheus scrapes `GET /metrics`, and nothing
    /// else (the admin socket serves it too).
    public struct Metrics: Sendable, Equatable {
        public var listen: String?
    }

    /// `[log]`: the daemon's log lines.
    public struct Log: Sendable, Equatable {
        /// trace, debug, info, notice, warning, error or critical: this and above are written.
        public var level = "info"
        public var json = false
    }

    /// `[remind]`: the notifier `remind` hands its findings to when `--exec` is not given (the
    /// timer's unit runs `remind` without it).
    public struct Remind: Sendable, Equatable {
        public var exec: String?
    }

    /// `[limits]` of the socket API (Docs/api.md).
    public struct Limits: Sendable, Equatable {
        public var maxBody = 64 * 1024
        public var maxHeaders = 16 * 1024
        public var readTimeout = TimeSpan(seconds: 10)
        public var idleTimeout = TimeSpan(seconds: 30)
        public var maxConnections = 1024
        /// Connections one uid may hold on the client socket (and, at most a quarter of its
        /// budget, on the proxy's TCP listener): one user cannot take every connection.
        public var maxConnectionsPerUID = 256
        /// Requests one uid may have being answered at once, across its connections.
        public var maxInFlightPerUID = 64
    }

    /// `[sealed]`: sealed headers (Docs/proxy.md).
    public struct Sealed: Sendable, Equatable {
        /// How long a sealed signature is valid (at most `SealedSignature.maxLifetime`).
        public var lifetime = TimeSpan(seconds: SealedSignature.defaultLifetime)
    }

    /// `[store]`: where the rows live (Docs/fleet.md). SQLite in the state directory by default.
    public struct Store: Sendable, Equatable {
        public enum Backend: String, Sendable, Equatable { case sqlite, postgres }
        public enum TLS: String, Sendable, Equatable { case disable, require, verifyFull = "verify-full" }
        public var backend = Backend.sqlite
        public var url: PostgresURL?
        /// The file holding the PostgreSQL password (mode 0400 or 0600); else the `pg-password`
        /// systemd credential; else none (peer or certificate authentication).
        public var passwordFile: String?
        public var tls = TLS.disable
        public var caFile: String?
        public var poolSize = 4
    }

    /// `[fleet]`: this host's name among the hosts sharing a PostgreSQL vault.
    public struct Fleet: Sendable, Equatable {
        /// Default: the machine's host name.
        public var host: String?
    }

    public var store = Store()
    public var fleet = Fleet()
    public var sealed = Sealed()
    public var limits = Limits()
    public var vault = Vault()
    public var upstream = Upstream()
    public var sockets = Sockets()
    public var rotation = Rotation()
    public var jwt = JWT()
    public var audit = Audit()
    public var remind = Remind()
    public var log = Log()
    public var metrics = Metrics()
    /// `[[grant]]` tables: the policy, default deny.
    public var grants: [Grant] = []

    public var policy: Policy { Policy(grants: grants) }

    public init() {}

    /// The default location of the configuration file.
    public static let defaultPath = "/etc/vobiz-vault/config.toml"
}
