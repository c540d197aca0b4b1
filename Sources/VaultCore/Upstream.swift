/// The upstream API's origin (scheme, host, port), parsed once from `[upstream] base_url`.
/// Every URL a caller names must have exactly this origin.
public struct Upstream: Hashable, Sendable {
    public let scheme: String
    public let host: String
    public let port: Int
    /// Any path of the base URL ("/" or ""), kept for forwarding.
    public let basePath: String

    public init(baseURL: String) throws(ScopeError) {
        guard let sep = baseURL.range(of: "://") else { throw .badUpstream(baseURL) }
        let scheme = baseURL[..<sep.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { throw .badUpstream(baseURL) }
        var rest = baseURL[sep.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = rest[slash...]
        let (host, port) = try ScopedURL.splitAuthority(authority, scheme: scheme)
        self.scheme = scheme
        self.host = host
        self.port = port
        basePath = rest.hasSuffix("/") ? String(rest.dropLast()) : String(rest)
    }

    public static func defaultPort(_ scheme: String) -> Int { scheme == "https" ? 443 : 80 }

    /// `scheme://host[:port]`, the port only when not the scheme's default.
    public var origin: String {
        port == Self.defaultPort(scheme) ? "\(scheme)://\(host)" : "\(scheme)://\(host):\(port)"
    }
}
