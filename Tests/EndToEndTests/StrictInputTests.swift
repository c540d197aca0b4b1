import Foundation
import Testing

/// Values on a security path have one spelling, and configuration the vault cannot use as
/// written is refused with the reason rather than read as something else.
@Suite(.serialized) struct StrictInputTests {
    static let headersOnly = """
        [[grant]]
        name = "sealed"
        uid = 0
        credentials = ["MA_ACME"]
        operations = ["headers"]
        """

    /// A sealed signature re-spelt (`ts=+…`, `ts=0…`, `exp=+…`) signs the same canonical text;
    /// the proxy must still refuse it, and accept the header as issued.
    @Test func aSealedSignatureHasOneSpelling() throws {
        let (d, mock) = try ProxyTests.vault(grants: Self.headersOnly)
        defer { withExtendedLifetime((d, mock)) {} }
        let issued = try d.headers("GET", mock.origin + "/api/v1/Account/MA_ACME/Call/")
        let h = try #require(issued["headers"] as? [String: String], "\(issued)")
        let sig = try #require(h["X-Vault-Signature"]), authID = try #require(h["X-Auth-ID"])
        let ts = try #require(sig.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("ts=") })
        let exp = try #require(sig.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("exp=") })
        let respelt = [
            sig.replacingOccurrences(of: ts, with: "ts=+" + ts.dropFirst(3)),
            sig.replacingOccurrences(of: ts, with: "ts=0" + ts.dropFirst(3)),
            sig.replacingOccurrences(of: exp, with: "exp=+" + exp.dropFirst(4)),
        ]
        func send(_ signature: String) throws -> (Int, String) {
            let (status, _, body) = try ProxyTests.proxied(d, ["-H", "X-Auth-ID: \(authID)", "-H", "X-Vault-Signature: \(signature)",
                                                               "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
            return (status, body)
        }
        for bad in respelt {
            let (status, body) = try send(bad)
            #expect(status == 401 && problemType(ProxyTests.json(body)) == "signature_invalid", "\(bad): \(body)")
        }
        #expect(try mock.requests().isEmpty, "no re-spelt signature may reach the upstream")
        let (status, body) = try send(sig)
        #expect(status == 200, "the signature as issued is good: \(body)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// Each line makes the configuration unusable; `serve` must refuse it, naming the key (or,
    /// for a NUL, which is refused before the file is parsed, its line) and why.
    static let badConfigs: [(edit: @Sendable (String) -> String, key: String, reason: String)] = [
        ({ $0 + "\nmethods = [\"GET\", \"FOO\"]" }, "grant", "FOO is not an HTTP method"),
        ({ $0 + "\nexe = \"bin/app\"" }, "grant", "must be an absolute path"),
        ({ $0 + "\nexe = \"/usr/bin/../bin/app\"" }, "grant", "no . or .. segment"),
        ({ $0 + "\nexe = \"/usr//bin/app\"" }, "grant", "no empty segment"),
        ({ $0 + "\nexe = \"/usr/bin/app\\u0000.evil\"" }, ".toml:", "a NUL character"),
        ({ $0 + "\nuser = \"root\\u0000x\"" }, ".toml:", "a NUL character"),
        ({ $0.replacingOccurrences(of: "state_dir = \"", with: "state_dir = \"\\u0000") }, ".toml:", "a NUL character"),
        ({ $0.replacingOccurrences(of: "key_file = \"", with: "key_file = \"/tmp/k\\u0000") }, ".toml:", "a NUL character"),
        ({ $0.replacingOccurrences(of: "client = \"", with: "client = \"/tmp/s\\u0000") }, ".toml:", "a NUL character"),
        ({ $0.replacingOccurrences(of: "[sockets]", with: "[sockets]\nclient_mode = \"+660\"") }, "sockets.client_mode", "octal"),
        ({ $0.replacingOccurrences(of: "[sockets]", with: "[sockets]\nproxy_tcp = \"127.0.0.+1:8787\"") }, "sockets.proxy_tcp", "not a loopback address"),
        ({ $0.replacingOccurrences(of: "[sockets]", with: "[sockets]\nproxy_tcp = \"127.0.0.1:+8787\"") }, "sockets.proxy_tcp", "host:port"),
        ({ $0 + "\n[rotation]\nmax_age = \"+90d\"" }, "rotation.max_age", "+90d"),
    ]

    @Test func serveRefusesConfigurationItCannotUseAsWritten() throws {
        let d = try DaemonHarness(grants: Self.headersOnly)
        let good = try String(contentsOfFile: d.config, encoding: .utf8)
        for (i, bad) in Self.badConfigs.enumerated() {
            // A key appended to the file lands in its last table, the grant.
            let text = bad.edit(good)
            let path = d.s.root + "/bad\(i).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try d.s.vv(["serve", "--config", path])
            #expect(r.code != 0 && r.err.contains(bad.key) && r.err.contains(bad.reason), "\(i) \(bad.key): \(r.all)")
            #expect(!FileManager.default.fileExists(atPath: d.client), "\(i): nothing may be served")
        }
    }
}
