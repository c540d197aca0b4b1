/// Where a PostgreSQL vault lives, from `[store] url` in libpq's URI form:
/// `postgresql://USER@HOST:PORT/DB` over TCP, or `postgresql:///DB?host=/socket/dir&user=USER`
/// over a Unix socket (a `host` that starts with `/` is a socket directory, as in libpq).
///
/// The password never comes from here: a URL holding one is refused, because the config file is
/// readable by more than the daemon and ends up in backups and tickets.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The directory holding `.s.PGSQL.PORT`.
        case socket(directory: String, port: Int)
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String

    public static let defaultPort = 5432

    public init(endpoint: Endpoint, user: String, database: String) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
    }

    /// The path of the server's socket file for a socket endpoint.
    public var socketPath: String? {
        guard case .socket(let dir, let port) = endpoint else { return nil }
        return dir + "/.s.PGSQL.\(port)"
    }

    /// The URL without anything secret (it never holds a secret), for messages and `doctor`.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port):
            let h = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(user)@\(h):\(port)/\(database)"
        case .socket(let dir, let port):
            return "postgresql:///\(database)?host=\(dir)&port=\(port)&user=\(user)"
        }
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case scheme
        case password
        case malformed(String)
        case unknownParameter(String)

        public var description: String {
            switch self {
            case .scheme: "must start with postgresql:// (or postgres://)"
            case .password: "holds a password; give it in [store] password_file or the pg-password systemd credential instead"
            case .malformed(let why): "is malformed: \(why)"
            case .unknownParameter(let p): "has the parameter \"\(Echo.short(p))\", which vobiz-vault does not take (host, port, user and dbname only; TLS is [store] tls)"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        let rest: Substring
        if text.hasPrefix("postgresql://") { rest = text.dropFirst("postgresql://".count) }
        else if text.hasPrefix("postgres://") { rest = text.dropFirst("postgres://".count) }
        else { throw .scheme }
        let (beforeQuery, query) = Self.split(rest, at: "?")
        let (authority, path) = Self.split(beforeQuery, at: "/")
        var user: String?, host: String?, port: Int?
        var database = try Self.decoded(path ?? "")
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            guard !userinfo.contains(":") else { throw .password }
            user = try Self.decoded(userinfo)
            (host, port) = try Self.hostPort(authority[authority.index(after: at)...])
        } else {
            (host, port) = try Self.hostPort(authority)
        }
        for pair in (query ?? "").split(separator: "&") {
            let (key, value) = Self.split(pair, at: "=")
            let v = try Self.decoded(value ?? "")
            switch key {
            case "host": host = v
            case "port": port = try Self.port(Substring(v))
            case "user": user = v
            case "dbname": database = v
            case "password": throw .password
            default: throw .unknownParameter(String(key))
            }
        }
        guard let user, !user.isEmpty else { throw .malformed("no user (postgresql://USER@HOST/DB)") }
        guard !database.isEmpty else { throw .malformed("no database name (postgresql://USER@HOST/DB)") }
        guard let host, !host.isEmpty else { throw .malformed("no host (a name, an address, or ?host=/socket/dir)") }
        let p = port ?? Self.defaultPort
        endpoint = host.hasPrefix("/") ? .socket(directory: host, port: p) : .tcp(host: host, port: p)
        self.user = user
        self.database = database
    }

    private static func split(_ s: Substring, at c: Character) -> (Substring, Substring?) {
        guard let i = s.firstIndex(of: c) else { return (s, nil) }
        return (s[..<i], s[s.index(after: i)...])
    }

    private static func hostPort(_ s: Substring) throws(ParseError) -> (String?, Int?) {
        if s.isEmpty { return (nil, nil) }
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw .malformed("an IPv6 address without its closing ]") }
            let host = String(s[s.index(after: s.startIndex)..<close])
            let after = s[s.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw .malformed("text after the IPv6 address") }
            return (host, try port(after.dropFirst()))
        }
        let (h, p) = split(s, at: ":")
        return (try decoded(h), try p.map { p throws(ParseError) in try port(p) })
    }

    private static func port(_ s: Substring) throws(ParseError) -> Int {
        guard let p = Int(s), (1...65535).contains(p), s.allSatisfy(\.isASCII) else {
            throw .malformed("the port is not a number from 1 to 65535")
        }
        return p
    }

    /// Percent-decoding of one component; control characters are refused.
    private static func decoded(_ s: Substring) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                throw .malformed("a bad %-escape")
            }
            bytes.append(v)
            it = it.dropFirst(2)
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) else { throw .malformed("a control character") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
