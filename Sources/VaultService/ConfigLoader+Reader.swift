import TOMLKit
import VaultCore

extension ConfigLoader {
    /// Typed access to one section, with errors that name `section.key`.
    struct Reader {
        let path: String

        func table(_ v: (any TOMLValueConvertible)?, _ name: String) throws(ConfigError) -> TOMLTable {
            guard let t = v?.table else { throw .wrongType(path: path, key: name, expected: "a table ([\(name)])") }
            return t
        }

        /// A string value. No value of this configuration (paths, user and group names, URLs)
        /// may hold a NUL byte: it would be checked as one value and reach the system as another.
        func string(_ t: TOMLTable, _ section: String, _ key: String) throws(ConfigError) -> String {
            guard let s = t[key]?.string else { throw .wrongType(path: path, key: "\(section).\(key)", expected: "a string") }
            try noNUL(s, "\(section).\(key)")
            return s
        }

        func noNUL(_ s: String, _ key: String) throws(ConfigError) {
            if let why = PathRules.nulProblem(s) { throw .invalidValue(path: path, key: key, reason: why) }
        }

        func bool(_ t: TOMLTable, _ section: String, _ key: String) throws(ConfigError) -> Bool {
            guard let b = t[key]?.bool else { throw .wrongType(path: path, key: "\(section).\(key)", expected: "true or false") }
            return b
        }

        func span(_ t: TOMLTable, _ section: String, _ key: String) throws(ConfigError) -> TimeSpan {
            let s = try string(t, section, key)
            do { return try TimeSpan(parsing: s) } catch {
                throw .invalidValue(path: path, key: "\(section).\(key)", reason: error.description)
            }
        }

        func positiveSpan(_ t: TOMLTable, _ section: String, _ key: String) throws(ConfigError) -> TimeSpan {
            let s = try span(t, section, key)
            guard s.seconds > 0 else { throw .invalidValue(path: path, key: "\(section).\(key)", reason: "must be longer than 0") }
            return s
        }

        func each(_ v: (any TOMLValueConvertible)?, _ section: String,
                  _ body: (TOMLTable, String) throws(ConfigError) -> Bool) throws(ConfigError) {
            let t = try table(v, section)
            for key in t.keys where try !body(t, key) {
                throw .unknownKey(path: path, key: "\(section).\(key)")
            }
        }

        func vault(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Vault) throws(ConfigError) {
            try each(v, "vault") { (t, k) throws(ConfigError) in
                switch k {
                case "state_dir": s.stateDir = try string(t, "vault", k)
                case "key_file": s.keyFile = try string(t, "vault", k)
                default: return false
                }
                return true
            }
        }

        func upstream(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Upstream) throws(ConfigError) {
            try each(v, "upstream") { (t, k) throws(ConfigError) in
                switch k {
                case "base_url": s.baseURL = try string(t, "upstream", k)
                case "allow_insecure_upstream": s.allowInsecureUpstream = try bool(t, "upstream", k)
                case "connect_timeout": s.connectTimeout = try positiveSpan(t, "upstream", k)
                case "timeout": s.timeout = try positiveSpan(t, "upstream", k)
                case "max_body": s.maxBody = try int(t, "upstream", k, range: 1024...(256 << 20))
                case "max_request_body": s.maxRequestBody = try int(t, "upstream", k, range: 1024...(64 << 20))
                case "max_connections": s.maxConnections = try int(t, "upstream", k, range: 1...4096)
                default: return false
                }
                return true
            }
            if let u = try? Upstream(baseURL: s.baseURL), !u.basePath.isEmpty {
                throw .invalidValue(path: path, key: "upstream.base_url", reason: "must be an origin (scheme://host[:port]) without a path")
            }
            guard s.baseURL.hasPrefix("https://") || (s.allowInsecureUpstream && s.baseURL.hasPrefix("http://")) else {
                throw .invalidValue(path: path, key: "upstream.base_url",
                                    reason: "must be https:// (plain http only with allow_insecure_upstream = true, for tests)")
            }
        }

        func sockets(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Sockets) throws(ConfigError) {
            try each(v, "sockets") { (t, k) throws(ConfigError) in
                switch k {
                case "client": s.client = try string(t, "sockets", k)
                case "admin": s.admin = try string(t, "sockets", k)
                case "client_group": s.clientGroup = try string(t, "sockets", k)
                case "admin_group": s.adminGroup = try string(t, "sockets", k)
                case "proxy_tcp":
                    let text = try string(t, "sockets", k)
                    do { _ = try LoopbackEndpoint(parsing: text) } catch {
                        throw .invalidValue(path: path, key: "sockets.proxy_tcp", reason: "\(error)")
                    }
                    s.proxyTCP = text
                case "daemon_user": s.daemonUser = try string(t, "sockets", k)
                case "client_mode":
                    let m = try string(t, "sockets", k)
                    guard let mode = StrictInteger.octalMode(m), mode & ~0o777 == 0, mode & 0o007 == 0 else {
                        throw .invalidValue(path: path, key: "sockets.client_mode",
                                            reason: "must be an octal mode such as \"0660\" with no access for others")
                    }
                    s.clientMode = mode
                default: return false
                }
                return true
            }
        }

        func rotation(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Rotation) throws(ConfigError) {
            try each(v, "rotation") { (t, k) throws(ConfigError) in
                switch k {
                case "max_age": s.maxAge = try span(t, "rotation", k)
                case "warn": s.warn = try span(t, "rotation", k)
                case "grace": s.grace = try span(t, "rotation", k)
                case "master_key_max_age": s.masterKeyMaxAge = try span(t, "rotation", k)
                case "verify": s.verify = try bool(t, "rotation", k)
                default: return false
                }
                return true
            }
            guard s.maxAge.seconds > 0 else {
                throw .invalidValue(path: path, key: "rotation.max_age", reason: "must be longer than 0")
            }
        }

        func jwt(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.JWT) throws(ConfigError) {
            try each(v, "jwt") { (t, k) throws(ConfigError) in
                switch k {
                case "refresh_margin": s.refreshMargin = try span(t, "jwt", k)
                case "refresh_floor":
                    s.refreshFloor = try positiveSpan(t, "jwt", k)
                    // Well below the hour Vobiz's tokens live, or every one of them would be too short.
                    guard s.refreshFloor.seconds <= 300 else {
                        throw .invalidValue(path: path, key: "jwt.refresh_floor", reason: "must be at most 5m")
                    }
                default: return false
                }
                return true
            }
        }

        func int(_ t: TOMLTable, _ section: String, _ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let n = t[key]?.int else { throw .wrongType(path: path, key: "\(section).\(key)", expected: "an integer") }
            guard range.contains(n) else { throw .invalidValue(path: path, key: "\(section).\(key)", reason: "must be within \(range)") }
            return n
        }

        func limits(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Limits) throws(ConfigError) {
            try each(v, "limits") { (t, k) throws(ConfigError) in
                switch k {
                case "max_body": s.maxBody = try int(t, "limits", k, range: 1024...(16 << 20))
                case "max_headers": s.maxHeaders = try int(t, "limits", k, range: 1024...(1 << 20))
                case "max_connections": s.maxConnections = try int(t, "limits", k, range: 1...65536)
                case "max_connections_per_uid": s.maxConnectionsPerUID = try int(t, "limits", k, range: 1...65536)
                case "max_in_flight_per_uid": s.maxInFlightPerUID = try int(t, "limits", k, range: 1...65536)
                case "read_timeout": s.readTimeout = try span(t, "limits", k)
                case "idle_timeout": s.idleTimeout = try span(t, "limits", k)
                default: return false
                }
                return true
            }
            guard s.readTimeout.seconds > 0, s.idleTimeout.seconds > 0 else {
                throw .invalidValue(path: path, key: "limits", reason: "timeouts must be longer than 0")
            }
        }

        func sealed(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Sealed) throws(ConfigError) {
            try each(v, "sealed") { (t, k) throws(ConfigError) in
                guard k == "lifetime" else { return false }
                s.lifetime = try positiveSpan(t, "sealed", k)
                guard s.lifetime.seconds <= SealedSignature.maxLifetime else {
                    throw .invalidValue(path: path, key: "sealed.lifetime", reason: "must be at most \(SealedSignature.maxLifetime)s")
                }
                return true
            }
        }

        func audit(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Audit) throws(ConfigError) {
            try each(v, "audit") { (t, k) throws(ConfigError) in
                guard k == "durability" else { return false }
                let d = try string(t, "audit", k)
                guard let dur = VaultConfig.Durability(rawValue: d) else {
                    throw .invalidValue(path: path, key: "audit.durability", reason: "must be \"batch\" or \"sync\"")
                }
                s.durability = dur
                return true
            }
        }
    
        func remind(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Remind) throws(ConfigError) {
            try each(v, "remind") { (t, k) throws(ConfigError) in
                guard k == "exec" else { return false }
                let command = try string(t, "remind", k)
                guard !command.allSatisfy(\.isWhitespace) else {
                    throw .invalidValue(path: path, key: "remind.exec", reason: "must be a shell command; leave it out for none")
                }
                s.exec = command
                return true
            }
        }
    
        func log(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Log) throws(ConfigError) {
            try each(v, "log") { (t, k) throws(ConfigError) in
                switch k {
                case "level":
                    let level = try string(t, "log", k)
                    guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                        throw .invalidValue(path: path, key: "log.level", reason: "must be trace, debug, info, notice, warning, error or critical")
                    }
                    s.level = level
                case "format":
                    let format = try string(t, "log", k)
                    guard format == "text" || format == "json" else {
                        throw .invalidValue(path: path, key: "log.format", reason: "must be \"text\" or \"json\"")
                    }
                    s.json = format == "json"
                default: return false
                }
                return true
            }
        }
    
        func metrics(_ v: (any TOMLValueConvertible)?, into s: inout VaultConfig.Metrics) throws(ConfigError) {
            try each(v, "metrics") { (t, k) throws(ConfigError) in
                guard k == "listen" else { return false }
                let text = try string(t, "metrics", k)
                do { _ = try LoopbackEndpoint(parsing: text) } catch {
                    throw .invalidValue(path: path, key: "metrics.listen", reason: "\(error)")
                }
                s.listen = text
                return true
            }
        }
    }
}
