import Foundation
import Testing

/// The egress proxy against a loopback mock of the Vobiz API (Docs/proxy.md).
@Suite(.serialized) struct ProxyTests {
    static let grants = """
        [[grant]]
        name = "app"
        uid = 0
        credentials = ["partner", "MA_*"]
        operations = ["headers", "proxy"]
        """

    /// A vault whose upstream is a fresh mock; `extra` is more TOML. The upstream timeout is
    /// far past any answer of the mock's, however loaded the machine, unless a test times it.
    static func vault(extra: String = "", sockets: String = "", upstream: String = "", timeout: String = "10s", tls: Bool = false,
                      grants: String = ProxyTests.grants, limits: String? = nil) throws -> (DaemonHarness, MockVobiz) {
        let s = try Scratch()
        let mock = try MockVobiz(s, tokens: MockVobiz.standardTokens(s), tls: tls)
        let extra = mock.upstreamConfig(upstream, timeout: timeout) + "\n" + extra
        let d = try limits.map { try DaemonHarness(grants: grants, extra: extra, sockets: sockets, scratch: s, limits: $0) }
            ?? DaemonHarness(grants: grants, extra: extra, sockets: sockets, scratch: s)
        try d.start()
        return (d, mock)
    }

    /// `curl -i` through the client socket; returns (status, headers lower-cased, body).
    static func proxied(_ d: DaemonHarness, _ args: [String], asNobody: Bool = false) throws -> (Int, [String: String], String) {
        let raw = try d.curl(["-i"] + args, asNobody: asNobody)
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func forwardsWithTheVaultsPairAndNothingTheCallerClaims() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let (s1, _, b1) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/partner/me"])
        #expect(s1 == 200 && Self.json(b1)["auth_id"] as? String == "PA_MAIN", "\(b1)")
        let (s2, h2, b2) = try Self.proxied(d, [
            "-H", "X-Auth-Token: \(d.s.canary)client", "-H", "X-Auth-ID: MA_BETA", "-H", "Authorization: Bearer x",
            "-H", "Cookie: s=1", "-H", "X-Trace: t1", "-H", "Connection: X-Hop", "-H", "X-Hop: 1",
            "http://v/v1/proxy/api/v1/Account/MA_ACME/Echo/?a=1&b=2",
        ])
        #expect(s2 == 200, "\(b2)")
        #expect(h2["set-cookie"] == nil, "an upstream cookie must not reach the caller")
        let seen = try mock.requests()
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0["token_ok"] as? Bool == true }, "\(seen)")
        #expect(seen.map { $0["auth_id"] as? String } == ["PA_MAIN", "MA_ACME"])
        let names = Set(seen.last?["header_names"] as? [String] ?? [])
        #expect(names.isDisjoint(with: ["authorization", "cookie", "x-hop", "x-vault-signature"]), "\(names)")
        #expect(names.contains("x-trace") && seen.last?["query"] as? String == "a=1&b=2")
        // A body goes through byte for byte.
        let body = #"{"to":"+15550002","from":"+15550001"}"#
        let (s3, _, b3) = try Self.proxied(d, ["-X", "POST", "-H", "Content-Type: application/json", "-d", body,
                                               "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s3 == 201 && (Self.json(b3)["echo"] as? [String: Any])?["to"] as? String == "+15550002", "\(b3)")
        // Each proxied request is audited with the grant that allowed it.
        let rows = try d.auditJSON().filter { $0["op"] as? String == "proxy" }
        #expect(rows.count == 3 && rows.allSatisfy { ($0["detail"] as? [String: Any])?["grant"] as? String == "app" }, "\(rows)")
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func scopeAndGrantsDecideBeforeAnythingLeaves() throws {
        let (d, mock) = try Self.vault(grants: Self.grants + """

            [[grant]]
            name = "headers-only"
            uid = 65534
            credentials = ["MA_ACME"]
            operations = ["headers"]
            """)
        defer { withExtendedLifetime((d, mock)) {} }
        let (s1, _, b1) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"], asNobody: true)
        #expect(s1 == 403 && problemType(Self.json(b1)) == "not_granted", "\(b1)")
        let (s2, _, b2) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_GONE/Call/"])
        #expect(s2 == 403 && problemType(Self.json(b2)) == "credential_revoked", "\(b2)")
        let (s3, _, b3) = try Self.proxied(d, ["-H", "X-Vault-Credential: MA_BETA", "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s3 == 403 && problemType(Self.json(b3)) == "scope_mismatch", "\(b3)")
        let (s4, _, b4) = try Self.proxied(d, ["--path-as-is", "http://v/v1/proxy/api/v1/Account/MA_ACME/../MA_BETA/Call/"])
        #expect(s4 == 400 && problemType(Self.json(b4)) == "bad_request", "\(b4)")
        let (s5, _, b5) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_NOPE/Call/"])
        #expect(s5 == 404 && problemType(Self.json(b5)) == "unknown_credential", "\(b5)")
        #expect(try mock.requests().isEmpty, "nothing may reach the upstream")
        let refused = try d.auditJSON().filter { $0["op"] as? String == "proxy" && $0["outcome"] as? String == "refused" }
        #expect(refused.count == 5)
    }

    @Test func captureStoresTheNewCustomerBeforeTheAnswerIsReleased() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let (status, headers, body) = try Self.proxied(d, ["-X", "POST", "-H", "Content-Type: application/json", "-H", "Accept-Encoding: gzip",
                                                           "-H", "Range: bytes=0-10", "-H", "X-Caller-Header: 1", "-d", #"{"name":"New Co"}"#,
                                                           "http://v/v1/proxy/api/v1/partner/accounts"])
        let answer = Self.json(body)
        #expect(status == 201 && headers["x-vault-capture"] == "stored", "\(headers) \(body)")
        // The create call went out asking for plain JSON, whatever the caller asked for.
        let create = try mock.requests().last
        let sent = Set(create?["header_names"] as? [String] ?? [])
        #expect(create?["accept_encoding"] as? String == "identity" && !sent.contains("x-caller-header") && !sent.contains("range"), "\(sent)")
        let newID = try #require(answer["auth_id"] as? String)
        let token = try #require(answer["auth_token"] as? String)
        #expect(token.hasPrefix("vaulted:") && !body.contains(d.s.canary), "the creating client must never see the token")
        #expect(answer["name"] as? String == "New Co" && answer["parent"] as? String == "PA_MAIN")
        let show = try d.s.vv(["show", newID, "--json"] + d.cfg)
        let info = Self.json(show.out)
        #expect(info["parent"] as? String == "PA_MAIN" && info["fingerprint"] as? String == String(token.dropFirst(8)), "\(show.all)")
        #expect(((info["versions"] as? [[String: Any]])?.first)?["source"] as? String == "capture")
        // The new customer works through the proxy at once.
        let (s2, _, b2) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/Account/\(newID)/Call/"])
        #expect(s2 == 200, "\(b2)")
        #expect(try mock.requests().last?["token_ok"] as? Bool == true)
        // The same for an answer obtained elsewhere, through `vobiz-vault capture`.
        let elsewhere = #"{"auth_id":"MA_PIPED1","auth_token":"\#(d.s.canary)piped","name":"Piped"}"#
        let piped = try d.s.vv(["capture"] + d.cfg, stdin: elsewhere)
        #expect(piped.code == 0 && piped.out.contains("\"auth_token\":\"vaulted:") && !piped.out.contains(d.s.canary), "\(piped.all)")
        let pipedInfo = Self.json(try d.s.vv(["show", "MA_PIPED1", "--json"] + d.cfg).out)
        #expect(((pipedInfo["versions"] as? [[String: Any]])?.first)?["source"] as? String == "capture" && pipedInfo["parent"] as? String == "PA_MAIN")
        let bad = try d.s.vv(["capture"] + d.cfg, stdin: #"{"auth_id":"PA_OTHER","auth_token":"x"}"#)
        #expect(bad.code == 1 && bad.out.isEmpty, "\(bad.all)")
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func failedCaptureHandsTheOriginalAnswerBackFlagged() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        // Vobiz answers with an auth id the vault already holds under another token: storing
        // fails, and the one-time token must still reach the caller.
        try mock.mode(createID: "MA_ACME")
        let (status, headers, body) = try Self.proxied(d, ["-X", "POST", "-d", #"{"name":"Clash Co"}"#,
                                                           "http://v/v1/proxy/api/v1/partner/accounts"])
        #expect(status == 201 && headers["x-vault-capture"] == "failed", "\(headers)")
        #expect(body.contains("\"auth_token\": \"\(d.s.canary)new"), "the original answer, token included, goes back")
        #expect(d.log().contains("CAPTURE FAILED"))
        #expect(!d.log().contains(d.s.canary))
        // Nothing changed for the account that clashed.
        let acme = Self.json(try d.s.vv(["show", "MA_ACME", "--json"] + d.cfg).out)
        #expect(acme["active_version"] as? Int == 1 && acme["versions_count"] as? Int == 1)
        d.s.captured.removeAll { $0.contains(d.s.canary + "new") }
    }

    @Test func sealedRequestsOnTheLoopbackListener() throws {
        let port = freePort()
        // Sealed headers only: the signature is the one way through the proxy.
        let (d, mock) = try Self.vault(extra: "[sealed]\nlifetime = \"3s\"", sockets: "proxy_tcp = \"127.0.0.1:\(port)\"",
                                       grants: Self.grants.replacingOccurrences(of: "[\"headers\", \"proxy\"]", with: "[\"headers\"]"))
        defer { withExtendedLifetime((d, mock)) {} }
        let r = try d.python("sealed_tcp.py", [d.client, String(port), mock.origin, "3"])
        func outcome(_ k: String) -> [String] { (r[k] as? [Any])?.map { "\($0)" } ?? ["missing"] }
        #expect(outcome("good") == ["200", "ok"], "\(r)")
        #expect(outcome("good_post") == ["201", "ok"], "\(r)")
        #expect(outcome("replayed") == ["409", "replayed"], "\(r)")
        for k in ["altered_body", "altered_method", "altered_path", "other_customer", "unsigned", "unsigned_big_body", "garbled", "expired"] {
            #expect(outcome(k) == ["401", "signature_invalid"], "\(k): \(r)")
        }
        #expect(outcome("fresh_after") == ["200", "ok"], "\(r)")
        #expect(r["echo_status"] as? Int == 200, "a client-supplied X-Auth-Token must not replace the vault's: \(r)")
        // Only the good calls reached the upstream, each with the right pair.
        let seen = try mock.requests()
        #expect(seen.count == 4 && seen.allSatisfy { $0["token_ok"] as? Bool == true }, "\(seen)")
        let rows = try d.auditJSON().filter { $0["op"] as? String == "proxy" }
        // Requests without a well-formed signature are refused from their head and not audited;
        // every other one is, under the TCP peer's address: the allowed ones row by row, the five
        // whose signature did not verify in the first one's row and one summary row for the rest
        // of its interval (UnauthenticatedBudgetTests).
        let tcpRows = rows.filter { ($0["actor_user"] as? String)?.hasPrefix("tcp:127.0.0.1:") == true }
        #expect(tcpRows.count == 5 && tcpRows.filter { $0["outcome"] as? String == "ok" }.count == 4, "\(rows)")
    }

    @Test func theTCPListenerMustBeLoopback() throws {
        let d = try DaemonHarness()
        for address in ["0.0.0.0:8787", "10.1.2.3:8787", "localhost:8787", "[::]:8787"] {
            var text = try String(contentsOfFile: d.config, encoding: .utf8)
            text = text.replacingOccurrences(of: "[sockets]", with: "[sockets]\nproxy_tcp = \"\(address)\"")
            let bad = d.s.root + "/bad.toml"
            try text.write(toFile: bad, atomically: true, encoding: .utf8)
            let r = try d.s.vv(["serve", "--config", bad])
            #expect(r.code != 0 && r.err.contains("proxy_tcp") && r.err.contains("loopback"), "\(address): \(r.all)")
            #expect(!FileManager.default.fileExists(atPath: d.client), "nothing may be served")
        }
    }

    @Test func aSystemdPassedProxySocketMustBeLoopbackToo() throws {
        let d = try DaemonHarness()
        let wild = try d.python("socket_activate_tcp.py", [Binary.path, d.config, d.client, d.admin, "0.0.0.0"])
        #expect(wild["exited"] as? Int == 1 && (wild["log"] as? String)?.contains("not a loopback address") == true, "\(wild)")
        let loop = try d.python("socket_activate_tcp.py", [Binary.path, d.config, d.client, d.admin, "127.0.0.1"])
        #expect((loop["health"] as? [String: Any])?["status"] as? String == "ok", "\(loop)")
        #expect(loop["backlog"] as? Int == 256, "the adopted socket keeps the daemon's backlog, not 16 or NIO's 128: \(loop)")
    }

    @Test func upstreamDownSlowOrFailing() throws {
        let (d, mock) = try Self.vault(timeout: "2s")
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(status: 503)
        let (s1, _, b1) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/partner/me"])
        #expect(s1 == 503 && b1.contains("mock failure"), "a 5xx answer from Vobiz is passed through as is: \(b1)")
        try mock.mode(delay: 4)
        let start = Date()
        let (s2, _, b2) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/partner/me"])
        // A timeout is 504 upstream_timeout; a refused connection (below) stays 502.
        #expect(s2 == 504 && problemType(Self.json(b2)) == "upstream_timeout", "\(b2)")
        #expect(Date().timeIntervalSince(start) < 3.5, "[upstream] timeout is 2s")
        mock.stop()
        let (s3, _, b3) = try Self.proxied(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(s3 == 502 && problemType(Self.json(b3)) == "upstream_unavailable", "\(b3)")
        for text in [b1, b2, b3, d.log()] { #expect(!text.contains(d.s.canary)) }
        // The daemon still answers.
        #expect(try d.curl(["http://v/v1/health"]).contains("\"ok\""))
    }

    /// `n` proxied calls at once (one curl process each): the seconds until the last answered,
    /// and each call's status and body.
    static func concurrentCalls(_ d: DaemonHarness, _ n: Int) throws -> (seconds: Double, answers: [(status: Int, body: String)]) {
        let start = Date()
        let calls = try (0..<n).map { _ in
            try Binary.start(["-s", "-w", "\n%{http_code}", "--max-time", "20", "--unix-socket", d.client,
                              "http://v/v1/proxy/api/v1/partner/me"], executable: "/usr/bin/curl")
        }
        let answers = calls.map { c -> (status: Int, body: String) in
            let out = String(decoding: c.out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            c.process.waitUntilExit()
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        d.s.captured.append(answers.map(\.body).joined(separator: "\n"))
        return (Date().timeIntervalSince(start), answers)
    }

    /// Each HTTP/1.1 connection to the upstream carries one call at a time. Against an API a
    /// second away, 24 callers at once must not queue behind a handful of connections (with
    /// the client library's default of 8 they reach it in three waves a second apart). Judged
    /// by when the calls reached the mock, not by when the last answered: starting 24 curl
    /// processes on a busy machine takes its own time.
    @Test func concurrentCallsToASlowUpstreamGoOutTogether() throws {
        let (d, mock) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(delay: 1)
        let all = try Self.concurrentCalls(d, 24)
        let arrivals = try mock.requests().compactMap { $0["at"] as? Double }
        let spread = (arrivals.max() ?? 99) - (arrivals.min() ?? 0)
        #expect(all.answers.allSatisfy { $0.status == 200 } && arrivals.count == 24 && spread < 1.8,
                "24 calls at once reach the upstream within \(spread) s of each other, not in waves a second apart: \(all)")
        // `[upstream] max_connections` holds them to that many in flight.
        let (few, slow) = try Self.vault(upstream: "max_connections = 2")
        defer { withExtendedLifetime((few, slow)) {} }
        try slow.mode(delay: 0.5)
        let capped = try Self.concurrentCalls(few, 6)
        #expect(capped.answers.allSatisfy { $0.status == 200 } && capped.seconds >= 1.4,
                "6 calls over 2 connections take three rounds of 0.5 s: \(capped)")
    }

    /// A call that waits longer than `connect_timeout` for a free upstream connection is
    /// refused with a message that names the setting to raise.
    @Test func aCallThatFindsEveryConnectionBusyIsToldWhy() throws {
        let (d, mock) = try Self.vault(upstream: "max_connections = 1\nconnect_timeout = \"1s\"")
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(delay: 2.5)
        let both = try Self.concurrentCalls(d, 2)
        let statuses = both.answers.map(\.status).sorted()
        #expect(statuses == [200, 502], "\(both)")
        let refused = both.answers.first { $0.status == 502 }?.body ?? ""
        #expect(problemType(Self.json(refused)) == "upstream_unavailable" && refused.contains("max_connections")
                && refused.contains("connect_timeout"), "\(refused)")
        #expect(!refused.contains(d.s.token("partner")))
        #expect(d.log().contains("stayed busy") && !d.log().contains(d.s.token("partner")), "the refusal is logged")
    }
}
