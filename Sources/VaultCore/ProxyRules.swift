/// What the egress proxy forwards and what it drops (Docs/proxy.md). Pure rules over header lists,
/// so the transport and the tests share one definition.
public enum ProxyRules {
    /// Requests for the upstream arrive under this prefix on the client socket and the TCP listener.
    public static let prefix = "/v1/proxy"

    /// Hop-by-hop headers (RFC 9110 §7.6.1) and their historical spellings: never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "trailers", "transfer-encoding", "upgrade",
    ]
    /// Headers that carry or claim a credential: the vault attaches its own, and nothing the
    /// caller supplies may ride along or override it.
    static let credentialBearing: Set<String> = ["x-auth-id", "x-auth-token", "authorization", "cookie", "x-vault-signature"]
    /// Headers the forwarding client sets itself for the new connection.
    static let recomputed: Set<String> = ["host", "content-length", "expect"]
    /// The vault's own request headers (for example, the credential to use off the known trees).
    static let vaultControl: Set<String> = ["x-vault-credential"]
    /// Headers that ask the upstream, or a proxy or framework in front of it, to treat the request
    /// as another method, path, host, scheme or client than the one the vault checked against the
    /// grant: method overrides (Express `method-override`, Rack, Laravel, Symfony, ASP.NET, OData),
    /// rewritten URLs (IIS URL Rewrite, Symfony, Envoy), and forwarding claims (RFC 7239
    /// `Forwarded`, the `X-Forwarded-*` family that Werkzeug `ProxyFix`, Spring
    /// `ForwardedHeaderFilter`, Django, Rails, Gunicorn and Tomcat `RemoteIpValve` honour, and
    /// the client-address headers of CDNs). A grant narrowed to GET on one path must not be
    /// widened by whatever the upstream's stack makes of them, so none is forwarded.
    static let routingOverride: Set<String> = [
        "x-method-override", "forwarded", "x-host", "x-url-scheme", "x-scheme", "front-end-https", "x-arr-ssl", "x-script-name",
        "x-real-ip", "x-client-ip", "true-client-ip", "x-cluster-client-ip", "client-ip", "cf-connecting-ip",
        "fastly-client-ip", "x-proxyuser-ip",
    ]
    /// Families of such headers, matched by prefix: `X-HTTP-Method(-Override)`, `X-Original-URL`,
    /// `-URI`, `-Host`, `-Method`, `X-Rewrite-URL`, `X-Envoy-Original-Path`, and every
    /// `X-Forwarded-*` (`-Host`, `-Proto`, `-Prefix`, `-For`, `-Port`, `-Server`, `-Ssl`, `-Uri`…),
    /// spellings not yet seen included.
    static let routingOverridePrefixes = ["x-forwarded-", "x-original-", "x-rewrite-", "x-envoy-", "x-http-method"]

    /// Whether `lowerCasedName` is a routing-override header (see `routingOverride`).
    static func isRoutingOverride(_ lowerCasedName: String) -> Bool {
        routingOverride.contains(lowerCasedName) || routingOverridePrefixes.contains { lowerCasedName.hasPrefix($0) }
    }

    /// `/v1/proxy/api/v1/…?q` → `/api/v1/…?q`; nil when the URI is not under the prefix or
    /// names no upstream path.
    public static func upstreamTarget(uri: String) -> String? {
        guard uri.hasPrefix(prefix + "/") else { return nil }
        let target = String(uri.dropFirst(prefix.utf8.count))
        return target.count > 1 ? target : nil
    }

    /// The request headers to forward: the caller's, without hop-by-hop headers (including any
    /// named in `Connection`), credential-bearing headers, routing overrides, and headers the
    /// client recomputes.
    public static func forwardedRequestHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        let named = connectionTokens(headers)
        return headers.filter { h in
            let n = h.name.lowercased()
            return !hopByHop.contains(n) && !credentialBearing.contains(n) && !recomputed.contains(n)
                && !vaultControl.contains(n) && !named.contains(n) && !isRoutingOverride(n)
        }
    }

    /// The headers of a create-account call: only these go out, with `Accept` and
    /// `Accept-Encoding` fixed, so that the answer comes back whole, uncompressed JSON that the
    /// vault can capture (a caller must not be able to make it unreadable: `Accept-Encoding`,
    /// `Range` and the like would hand the one-time token to the caller uncaptured).
    public static func captureRequestHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        let kept = headers.filter { ["content-type", "user-agent"].contains($0.name.lowercased()) }
        return kept + [("Accept", "application/json"), ("Accept-Encoding", "identity")]
    }

    /// The upstream's answer headers to pass back: without hop-by-hop headers, framing (the vault
    /// frames its own answer) and `Set-Cookie` (an upstream session belongs to the vault's
    /// credential, not to the caller).
    public static func returnedResponseHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        let named = connectionTokens(headers)
        return headers.filter { h in
            let n = h.name.lowercased()
            return !hopByHop.contains(n) && n != "content-length" && n != "set-cookie" && !named.contains(n)
        }
    }

    static func connectionTokens(_ headers: [(name: String, value: String)]) -> Set<String> {
        var out = Set<String>()
        for h in headers where h.name.lowercased() == "connection" {
            for token in h.value.split(separator: ",") { out.insert(token.trimmingSpaces().lowercased()) }
        }
        return out
    }

    /// The SHA-256 (hex) of an empty body: a request without a body may be signed over it or over `-`.
    public static let emptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
