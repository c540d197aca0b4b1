import Foundation
import Testing

/// A grant narrowed by method and path stays that narrow at the upstream: the proxy does not
/// forward the headers by which frameworks and proxies let a request claim another method, path,
/// host, scheme or client.
@Suite(.serialized) struct ProxyOverrideTests {
    static let narrow = """
        [[grant]]
        name = "list-calls"
        uid = 65534
        credentials = ["MA_ACME"]
        operations = ["proxy"]
        methods = ["GET"]
        paths = ["/api/v1/Account/MA_ACME/Call/**"]
        """

    /// What an attacker granted only GET on `/Call/**` would add to turn the request into a
    /// DELETE elsewhere, or to make the upstream believe it came from another host or scheme.
    static let overrides: [(String, String)] = [
        ("X-HTTP-Method-Override", "DELETE"), ("X-HTTP-Method", "DELETE"), ("X-Method-Override", "DELETE"),
        ("X-Original-Method", "DELETE"), ("X-Original-URL", "/api/v1/Account/MA_BETA/"), ("X-Rewrite-URL", "/api/v1/partner/accounts"),
        ("X-Original-URI", "/api/v1/partner/"), ("X-Envoy-Original-Path", "/api/v1/partner/"),
        ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Prefix", "/api/v1/partner"),
        ("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-Port", "8443"), ("X-Forwarded-Server", "evil.example"),
        ("X-Forwarded-Ssl", "off"), ("X-Forwarded-Uri", "/api/v1/partner/"), ("X-Forwarded-Anything", "1"),
        ("Forwarded", "for=127.0.0.1;host=evil.example;proto=http"), ("X-Host", "evil.example"), ("X-Original-Host", "evil.example"),
        ("X-Real-IP", "127.0.0.1"), ("X-Client-IP", "127.0.0.1"), ("True-Client-IP", "127.0.0.1"), ("X-Script-Name", "/api/v1/partner"),
        ("Front-End-Https", "off"), ("X-Url-Scheme", "http"),
    ]

    @Test func routingOverrideHeadersNeverReachTheUpstream() throws {
        let (d, mock) = try ProxyTests.vault(grants: Self.narrow)
        defer { withExtendedLifetime((d, mock)) {} }
        let args = Self.overrides.flatMap { ["-H", "\($0.0): \($0.1)"] } + ["-H", "X-Trace: t1"]
        let (status, _, body) = try ProxyTests.proxied(d, args + ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"], asNobody: true)
        #expect(status == 200, "\(body)")
        let seen = try mock.requests()
        #expect(seen.count == 1 && seen.first?["method"] as? String == "GET", "\(seen)")
        let names = Set(seen.first?["header_names"] as? [String] ?? [])
        let leaked = names.intersection(Self.overrides.map { $0.0.lowercased() })
        #expect(leaked.isEmpty, "forwarded to the upstream: \(leaked.sorted())")
        #expect(names.contains("x-trace"), "other caller headers still go through: \(names.sorted())")
        // The grant itself still holds: another method is refused before anything leaves.
        let (s2, _, b2) = try ProxyTests.proxied(d, ["-X", "DELETE", "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"], asNobody: true)
        #expect(s2 == 403 && problemType(ProxyTests.json(b2)) == "not_granted", "\(b2)")
        #expect(try mock.requests().count == 1)
    }
}
