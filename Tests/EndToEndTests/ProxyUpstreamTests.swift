import Foundation
import Testing

/// The proxy and what the upstream does (Docs/proxy.md): large bodies and answers, TLS
/// verification, a 401 about a credential the proxy attached, `rotate --verify`, and the
/// Vobiz Python SDK used through the proxy without a token.
@Suite(.serialized) struct ProxyUpstreamTests {
    @Test func bodiesBeyondTheLimitAndLargeAnswersThatStream() throws {
        let (d, mock) = try ProxyTests.vault(upstream: "max_body = 1048576\nmax_request_body = 262144")
        defer { withExtendedLifetime((d, mock)) {} }
        // 600 kB: above the buffered size, streamed through whole.
        let out = d.s.root + "/big.out"
        let code = try d.curl(["-o", out, "-w", "%{http_code} %{size_download}", "http://v/v1/proxy/api/v1/Account/MA_ACME/Big?size=600000"])
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        #expect(code == "200 \(size)" && size == 600_003, "\(code) \(size)")
        // An answer announced larger than [upstream] max_body is refused, not relayed.
        let (s2, _, b2) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Big?size=2000000"])
        #expect(s2 == 502 && problemType(ProxyTests.json(b2)) == "upstream_unavailable" && b2.contains("max_body"), "\(b2.prefix(300))")
        // A request body over the limit never leaves.
        let body = d.s.root + "/body.json"
        try String(repeating: "x", count: 1_500_000).write(toFile: body, atomically: true, encoding: .utf8)
        let before = try mock.requests().count
        let (s3, _, b3) = try ProxyTests.proxied(d, ["-X", "POST", "--data-binary", "@" + body, "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s3 == 413 && problemType(ProxyTests.json(b3)) == "payload_too_large", "\(b3)")
        #expect(try mock.requests().count == before)
        // Within [upstream] max_request_body, a body above the RPC limit (64 KiB) goes through.
        try String(repeating: "y", count: 200_000).write(toFile: body, atomically: true, encoding: .utf8)
        let (s4, _, b4) = try ProxyTests.proxied(d, ["-X", "PUT", "--data-binary", "@" + body, "http://v/v1/proxy/api/v1/Account/MA_ACME/Echo/"])
        let last = try mock.requests().last
        #expect(s4 == 200 && last?["body_len"] as? Int == 200_000, "\(b4.prefix(200))")
        // A client that shuts down its side after the request and reads only later gets the whole
        // answer, buffered (under 256 KiB) or streamed, though it is larger than the socket buffer
        // (net.core.wmem_default, 208 KiB).
        for size in [250_000, 600_000] {
            let r = try d.python("half_close.py", ["big", d.client, "/v1/proxy/api/v1/Account/MA_ACME/Big?size=\(size)", "0.5"])
            #expect(r["status"] as? Int == 200 && r["length"] as? Int == size + 3, "\(size): \(r)")
        }
    }

    @Test func httpsUpstreamsAreVerifiedAgainstTheSystemTrustStore() throws {
        // A self-signed certificate is not trusted: the call fails before any request is sent.
        let (d, mock) = try ProxyTests.vault(tls: true)
        defer { withExtendedLifetime((d, mock)) {} }
        let (status, _, body) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/partner/me"])
        #expect(status == 502 && problemType(ProxyTests.json(body)) == "upstream_unavailable", "\(body)")
        #expect(try mock.requests().isEmpty, "no request may cross an unverified TLS connection")
        #expect(!body.contains(d.s.canary) && !d.log().contains(d.s.canary))
        // Plain http:// needs the explicit opt-in.
        var text = try String(contentsOfFile: d.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "https://", with: "http://")
        try text.write(toFile: d.s.root + "/plain.toml", atomically: true, encoding: .utf8)
        let r = try d.s.vv(["status", "--config", d.s.root + "/plain.toml"])
        #expect(r.code != 0 && r.err.contains("allow_insecure_upstream"), "\(r.all)")
    }

    @Test func aTokenVobizRejectsIsNoticedAndRotateVerifies() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        // Reissued in the console: the vault's copy is stale.
        try mock.reissue("MA_ACME", suffix: "-reissued")
        let (s1, _, _) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s1 == 401)
        let list = try d.s.vv(["list"] + d.cfg)
        #expect(list.out.contains("active (rejected)"), "\(list.out)")
        let remind = try d.s.vv(["remind"] + d.cfg)
        #expect(remind.code == 2 && remind.out.contains("Vobiz rejected this token"), "\(remind.all)")
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        #expect(metrics.contains("vobiz_vault_upstream_rejections_total 1"), "\(metrics)")
        #expect(metrics.contains("vobiz_vault_credentials_rejected 1"))
        // A wrong new token is refused by Vobiz: nothing changes.
        let wrong = try d.s.vv(["rotate", "MA_ACME", "--verify"] + d.cfg, stdin: d.s.token("acme") + "-typo")
        #expect(wrong.code == 1 && wrong.err.contains("refused the new token") && wrong.err.contains("nothing changed"), "\(wrong.all)")
        #expect(ProxyTests.json(try d.s.vv(["show", "MA_ACME", "--json"] + d.cfg).out)["active_version"] as? Int == 1)
        // The right one is accepted, rotated in, and the rejection is cleared.
        let right = try d.s.vv(["rotate", "MA_ACME", "--verify"] + d.cfg, stdin: d.s.token("acme") + "-reissued")
        #expect(right.code == 0, "\(right.all)")
        let info = ProxyTests.json(try d.s.vv(["show", "MA_ACME", "--json"] + d.cfg).out)
        #expect(info["active_version"] as? Int == 2 && info["upstream_rejected"] is NSNull, "\(info)")
        let (s2, _, _) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s2 == 200)
        #expect(!(try d.s.vv(["remind"] + d.cfg).out.contains("Vobiz rejected")))
        // No answer: refused unless --no-verify.
        mock.stop()
        let down = try d.s.vv(["rotate", "partner", "--verify"] + d.cfg, stdin: d.s.token("partner") + "-2")
        #expect(down.code == 1 && down.err.contains("--no-verify"), "\(down.all)")
        let forced = try d.s.vv(["rotate", "partner", "--no-verify"] + d.cfg, stdin: d.s.token("partner") + "-2")
        #expect(forced.code == 0, "\(forced.all)")
        let verifies = try d.auditJSON().filter { $0["op"] as? String == "rotate-verify" }.map { $0["outcome"] as? String }
        #expect(verifies == ["refused", "ok", "refused"], "\(verifies)")
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func theVobizPythonSDKWorksThroughTheProxyWithoutAToken() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let venv = try PythonVenv.withVobizSDK()
        let out = try Process.run("/usr/bin/env", [venv.python, DaemonHarness.pythonDir + "/sdk_through_proxy.py", d.client, "MA_ACME"])
        d.s.captured.append(out)
        let r = ProxyTests.json(out)
        #expect(r["list_objects"] as? Int == 1 && r["create_message"] as? String == "call fired" && r["create_echo_to"] as? String == "+15550002",
                "\(out)")
        #expect(r["other_customer"] as? String != nil && r["other_customer"] as? String != "allowed", "\(out)")
        let seen = try mock.requests()
        #expect(seen.count == 2 && seen.allSatisfy { $0["token_ok"] as? Bool == true && $0["auth_id"] as? String == "MA_ACME" }, "\(seen)")
        #expect(try d.s.canaryHits().isEmpty)
    }
}
