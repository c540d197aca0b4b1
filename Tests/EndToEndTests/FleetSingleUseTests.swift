import Foundation
import Testing
import VaultTestSupport

/// What must be used once is used once across the fleet (Docs/fleet.md): a callback nonce
/// behind a load balancer, a sealed signature on the hosts' proxy listeners, and the partner's
/// JWT login.
@Suite(.serialized) struct FleetSingleUseTests {
    @Test func aCallbackNonceAcceptedOnOneHostIsRefusedOnAnother() throws {
        let fleet = try FleetHarness(count: 2, grants: CallbackTests.grants)
        let (a, b) = (fleet.hosts[0], fleet.hosts[1])
        try fleet.startAll()
        let file = try CallbackTests.tokenFile(a, "acme", a.s.token("acme"))
        let url = "https://hooks.example.com/vobiz/answer?leg=a"
        let params: [String: Any] = ["From": "+15550001", "CallUUID": "c-1"]
        let paramsJSON = String(decoding: try JSONSerialization.data(withJSONObject: params), as: UTF8.self)
        let headers = try CallbackTests.sdk("callback_sign.py", [file, "POST", url, paramsJSON, UUID().uuidString])
        let body: [String: Any] = ["credential": "MA_ACME", "method": "POST", "url": url, "headers": headers, "params": params]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        func send(_ h: DaemonHarness) throws -> [String: Any] {
            let out = try h.curl(["-X", "POST", "-d", json, "http://v/v1/callbacks/verify"])
            return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? ["unparsed": out]
        }
        let first = try send(a)
        #expect(first["valid"] as? Bool == true, "\(first)")
        let onB = try send(b)
        #expect(problemType(onB) == "replayed", "the same callback delivered to another host: \(onB)")
        #expect(problemType(try send(a)) == "replayed")
        // A new nonce is accepted on B.
        let fresh = try CallbackTests.sdk("callback_sign.py", [file, "POST", url, paramsJSON, UUID().uuidString])
        let body2 = body.merging(["headers": fresh]) { $1 }
        let out = try b.curl(["-X", "POST", "-d", String(decoding: try JSONSerialization.data(withJSONObject: body2), as: UTF8.self),
                              "http://v/v1/callbacks/verify"])
        #expect(out.contains("\"valid\":true"), "\(out)")
    }

    /// A signature sealed by host A is good on every host (one signing key per vault), once:
    /// replayed to another host's loopback listener, one after the other or at the same moment,
    /// it is refused as `replayed`, and the upstream sees each signed call once. Rounds are paced
    /// under each host's refusal budget (20 a second per uid), which would otherwise answer 429.
    @Test func aSealedSignatureIsAcceptedOnceAcrossTheFleet() throws {
        let s = try Scratch()
        let mock = try MockVobiz(s, tokens: MockVobiz.standardTokens(s))
        let grants = ProxyTests.grants.replacingOccurrences(of: "[\"headers\", \"proxy\"]", with: "[\"headers\"]")
        let fleet = try FleetHarness(count: 3, grants: grants, extra: mock.upstreamConfig(), scratch: s, proxyTCP: true)
        defer { withExtendedLifetime(mock) {} }
        try fleet.startAll()
        let rounds = 20
        let r = try fleet.hosts[0].python("sealed_fleet.py", [fleet.hosts[0].client, fleet.proxyPorts.map(String.init).joined(separator: ","),
                                                             mock.origin, String(rounds)])
        let sequential = r["sequential"] as? [String: [Any]] ?? [:]
        #expect(sequential.count == 6, "\(r)")
        for (pair, outcome) in sequential {
            #expect(outcome.map { "\($0)" } == ["200", "replayed"], "\(pair): \(r)")
        }
        #expect(r["concurrent"] as? [String: Int] == ["200,replayed,replayed": rounds], "one acceptance per signature: \(r)")
        let seen = try mock.requests()
        #expect(seen.count == sequential.count + rounds && seen.allSatisfy { $0["token_ok"] as? Bool == true },
                "the upstream saw each signed call once, with the right token: \(seen.count)")
        for h in fleet.hosts { #expect(!h.log().contains(s.canary)) }
    }

    @Test func fiftyCallersOnThreeHostsCauseOneLogin() throws {
        let s = try Scratch()
        var tokens: [String: Any] = MockVobiz.standardTokens(s)
        let password = s.token("password")
        tokens["__login"] = ["email": "ops@example.com", "password": password]
        let mock = try MockVobiz(s, tokens: tokens)
        try mock.mode(jwtLifetime: 600, loginDelay: 0.5)
        let fleet = try FleetHarness(count: 3, grants: JWTTests.grants, extra: mock.upstreamConfig(), scratch: s)
        defer { withExtendedLifetime(mock) {} }
        try fleet.startAll()
        let set = try fleet.hosts[0].s.vv(["login-credentials", "set", "partner"] + fleet.hosts[0].cfg, stdin: "ops@example.com\n\(password)\n")
        #expect(set.code == 0, "\(set.all)")
        let burst = try fleet.hosts[0].python("jwt_burst.py", [fleet.hosts.map(\.client).joined(separator: ","), "50"])
        #expect(burst["statuses"] as? [Int] == [200] && burst["distinct_tokens"] as? Int == 1, "\(burst)")
        #expect(try mock.logins() == 1, "one login for the whole fleet")
        for h in fleet.hosts { #expect(!h.log().contains(s.canary)) }
    }

    /// A customer created through one host's proxy has its token captured there only, and is
    /// used through another host's proxy at once (the vault never reveals a captured token).
    @Test func aCustomerCapturedOnOneHostIsUsableThroughAnother() throws {
        let s = try Scratch()
        let mock = try MockVobiz(s, tokens: MockVobiz.standardTokens(s))
        let fleet = try FleetHarness(count: 3, grants: ProxyTests.grants, extra: mock.upstreamConfig(), scratch: s)
        defer { withExtendedLifetime(mock) {} }
        let (a, c) = (fleet.hosts[0], fleet.hosts[2])
        try fleet.startAll()
        let (status, headers, body) = try ProxyTests.proxied(c, ["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"name":"Fleet Co"}"#,
                                                                 "http://v/v1/proxy/api/v1/partner/accounts"])
        #expect(status == 201 && headers["x-vault-capture"] == "stored", "\(headers) \(body)")
        let newID = try #require(ProxyTests.json(body)["auth_id"] as? String)
        let (s2, _, b2) = try ProxyTests.proxied(a, ["http://v/v1/proxy/api/v1/Account/\(newID)/Call/"])
        #expect(s2 == 200, "\(b2)")
        #expect(try mock.requests().last?["token_ok"] as? Bool == true, "host A attached the token host C captured")
        for h in fleet.hosts { #expect(!h.log().contains(s.canary)) }
    }
}
