import TOMLKit
import VaultCore

extension ConfigLoader.Reader {
    /// `[store]`: the backend and, for PostgreSQL, where the server is (Docs/fleet.md).
    func store(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Store) throws(ConfigError) {
        try each(v, "store") { (t, k) throws(ConfigError) in
            switch k {
            case "backend":
                let b = try string(t, "store", k)
                guard let backend = VaultConfig.Store.Backend(rawValue: b) else {
                    throw .invalidValue(path: path, key: "store.backend", reason: "must be \"sqlite\" or \"postgres\"")
                }
                s.backend = backend
            case "url":
                let text = try string(t, "store", k)
                do throws(PostgresURL.ParseError) { s.url = try PostgresURL(parsing: text) } catch {
                    throw .invalidValue(path: path, key: "store.url", reason: error.description)
                }
            case "password_file": s.passwordFile = try string(t, "store", k)
            case "tls":
                let m = try string(t, "store", k)
                guard let tls = VaultConfig.Store.TLS(rawValue: m) else {
                    throw .invalidValue(path: path, key: "store.tls", reason: "must be \"disable\", \"require\" or \"verify-full\"")
                }
                s.tls = tls
            case "ca_file": s.caFile = try string(t, "store", k)
            case "pool_size": s.poolSize = try int(t, "store", k, range: 1...64)
            default: return false
            }
            return true
        }
        guard s.backend == .postgres else { return }
        guard let url = s.url else { throw .invalidValue(path: path, key: "store.url", reason: "is required with backend = \"postgres\"") }
        if case .tcp(let host, _) = url.endpoint, s.tls == .disable, !Self.isLoopback(host) {
            throw .invalidValue(path: path, key: "store.tls", reason: "is \"disable\" for the remote server \(host); use \"verify-full\" with [store] ca_file")
        }
    }

    /// Plain text is accepted to this host only: a name or address that cannot leave it.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { o in StrictInteger.decimal(o, maxDigits: 3).map { $0 <= 255 } ?? false }
    }

    func fleet(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Fleet) throws(ConfigError) {
        try each(v, "fleet") { (t, k) throws(ConfigError) in
            guard k == "host" else { return false }
            let name = try string(t, "fleet", k)
            do throws(CoreError) { s.host = try FleetHost(name).name } catch { throw .invalidValue(path: path, key: "fleet.host", reason: error.description) }
            return true
        }
    }
}
