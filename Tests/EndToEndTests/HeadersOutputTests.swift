import Foundation
import Testing

/// What `vobiz-vault headers` prints, used as intended: the curl format as a header file for a
/// real `curl -H @file`, the JSON format in a client of its own; and the request counters of
/// `/metrics` by operation and decision.
@Suite(.serialized) struct HeadersOutputTests {
    /// A running vault with the default grants (no `proxy` grant) whose upstream is the mock.
    static func vault() throws -> (DaemonHarness, MockVobiz) {
        let s = try Scratch()
        let mock = try MockVobiz(s, tokens: MockVobiz.standardTokens(s))
        let d = try DaemonHarness(extra: mock.upstreamConfig(), scratch: s)
        try d.start()
        return (d, mock)
    }

    /// `curl -s -H @file ARGS`; returns (status, body).
    static func curl(_ headerFile: String, _ args: [String]) throws -> (Int, String) {
        let out = try Process.run("/usr/bin/env", ["curl", "-s", "--max-time", "10", "-H", "@" + headerFile, "-w", "\n%{http_code}"] + args)
        let status = out.split(separator: "\n").last.map(String.init) ?? ""
        return (Int(status) ?? 0, String(out.dropLast(status.count + 1)))
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func theCurlFormatIsAHeaderFileCurlSends() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        // Revealed (MA_BETA's grant): the file carries the token; curl sends it straight to the
        // API (the mock checks the pair and echoes every header but the token).
        let revealedFile = d.s.root + "/revealed.h"
        let revealed = try d.s.vv(["headers", "GET", mock.origin + "/api/v1/Account/MA_BETA/Echo/", "--format", "curl"] + d.cfg)
        #expect(revealed.code == 0, "\(revealed.err)")
        try revealed.out.write(toFile: revealedFile, atomically: true, encoding: .utf8)
        d.s.captured.removeAll { $0.contains(d.s.token("beta")) } // the revealed answer is the one place a token may appear
        let (s1, b1) = try Self.curl(revealedFile, [mock.origin + "/api/v1/Account/MA_BETA/Echo/"])
        let echoed = Self.json(b1)["headers"] as? [String: String] ?? [:]
        #expect(s1 == 200 && echoed["x-auth-id"] == "MA_BETA" && echoed["accept"] == "application/json", "\(b1)")
        #expect(try mock.requests().last?["token_ok"] as? Bool == true, "curl did not send the revealed token as written")
        unlink(revealedFile)

        // Sealed, with a body: curl sends the file and the body through the proxy, which accepts
        // the signature (there is no proxy grant) and attaches the token itself.
        let body = d.s.root + "/call.json"
        try #"{"to":"+15550002","from":"+15550001"}"#.write(toFile: body, atomically: true, encoding: .utf8)
        let sealedFile = d.s.root + "/sealed.h"
        let sealed = try d.s.vv(["headers", "POST", mock.origin + "/api/v1/Account/MA_ACME/Call/", "--body-file", body, "--format", "curl"] + d.cfg)
        #expect(sealed.code == 0 && sealed.out.contains("Content-Type: application/json\n") && sealed.out.contains("X-Vault-Signature: v1; "),
                "\(sealed.all)")
        #expect(sealed.out.split(separator: "\n").allSatisfy { $0.contains(": ") }, "not one `Name: value` per line: \(sealed.out)")
        try sealed.out.write(toFile: sealedFile, atomically: true, encoding: .utf8)
        let proxied = ["--unix-socket", d.client, "--data-binary", "@" + body, "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"]
        let (s2, b2) = try Self.curl(sealedFile, proxied)
        #expect(s2 == 201 && (Self.json(b2)["echo"] as? [String: Any])?["to"] as? String == "+15550002", "\(b2)")
        let seen = try mock.requests().last
        #expect(seen?["token_ok"] as? Bool == true && (seen?["header_names"] as? [String])?.contains("x-vault-signature") == false, "\(seen ?? [:])")
        // The file is good for one request: the same again is a replay.
        let (s3, b3) = try Self.curl(sealedFile, proxied)
        #expect(s3 == 409 && b3.contains("replayed"), "\(b3)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func theJSONFormatIsTheAnswerAndItsHeadersWork() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let r = try d.s.vv(["headers", "GET", mock.origin + "/api/v1/Account/MA_ACME/Call/?page=3"] + d.cfg)
        #expect(r.code == 0, "\(r.err)")
        let answer = Self.json(r.out)
        #expect(answer["mode"] as? String == "sealed" && answer["expires_at"] is String && answer["request_id"] is String, "\(r.out)")
        #expect((answer["credential"] as? [String: Any])?["auth_id"] as? String == "MA_ACME")
        let headers = answer["headers"] as? [String: String] ?? [:]
        #expect(Set(headers.keys) == ["X-Auth-ID", "Accept", "X-Vault-Signature"], "\(headers)")
        // A client of its own uses those headers on the proxy.
        let args = headers.sorted { $0.key < $1.key }.flatMap { ["-H", "\($0.key): \($0.value)"] }
        let (status, _, body) = try ProxyTests.proxied(d, args + ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/?page=3"])
        #expect(status == 200 && body.contains("page=3"), "\(body)")
        // Refused: the problem on standard error, exit 1, nothing on standard output.
        let refused = try d.s.vv(["headers", "DELETE", mock.origin + "/api/v1/Account/MA_ACME/Call/"] + d.cfg)
        #expect(refused.code == 1 && refused.out.isEmpty && refused.err.contains("not_granted"), "\(refused.all)")
    }

    /// `vobiz_vault_requests_total{operation,decision}` values from a scrape.
    static func counters(_ d: DaemonHarness) throws -> [String: Int] {
        let text = try d.curl(["http://v/metrics"], socket: d.admin)
        var out: [String: Int] = [:]
        for m in text.matches(of: /vobiz_vault_requests_total\{operation="(\w+)",decision="(\w+)"\} (\d+)/) {
            out["\(m.1)/\(m.2)"] = Int(m.3)
        }
        return out
    }

    @Test func requestCountersByOperationAndDecision() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let before = try Self.counters(d)
        #expect(before.count == 8, "every operation with both decisions: \(before)")
        let acme = mock.origin + "/api/v1/Account/MA_ACME/Call/"
        for _ in 0..<3 { #expect(try d.headers("GET", acme)["mode"] as? String == "sealed") }
        for _ in 0..<2 { #expect(problemType(try d.headers("DELETE", acme)) == "not_granted") }
        // The proxy: one signed request allowed, one unsigned refused (no proxy grant).
        let signed = try d.headers("GET", acme)["headers"] as? [String: String] ?? [:]
        let (ok, _, _) = try ProxyTests.proxied(d, signed.flatMap { ["-H", "\($0.key): \($0.value)"] } + ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(ok == 200)
        let (no, _, _) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(no == 403)
        // No JWT grant: refused.
        #expect(problemType(Self.json(try d.curl(["-X", "POST", "http://v/v1/jwt"]))) == "not_granted")
        let after = try Self.counters(d)
        var delta: [String: Int] = [:]
        for (k, v) in after { delta[k] = v - (before[k] ?? 0) }
        #expect(delta == ["headers/allowed": 4, "headers/refused": 2, "proxy/allowed": 1, "proxy/refused": 1,
                          "jwt/allowed": 0, "jwt/refused": 1, "verify_callback/allowed": 0, "verify_callback/refused": 0], "\(delta)")
        // The latency histogram counted every one of them.
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        let count = metrics.firstMatch(of: /vobiz_vault_request_duration_seconds_count (\d+)/).map { Int($0.1) ?? 0 } ?? 0
        #expect(count >= after.values.reduce(0, +), "\(count)")
        #expect(d.stop() == 0)
    }
}
