import Testing
@testable import VaultCore

@Suite struct ProxyRulesTests {
    @Test func targetIsThePathUnderThePrefix() {
        #expect(ProxyRules.upstreamTarget(uri: "/v1/proxy/api/v1/Account/MA_A/Call/?limit=5") == "/api/v1/Account/MA_A/Call/?limit=5")
        #expect(ProxyRules.upstreamTarget(uri: "/v1/proxy/") == nil)
        #expect(ProxyRules.upstreamTarget(uri: "/v1/proxy") == nil)
        #expect(ProxyRules.upstreamTarget(uri: "/v1/proxyx/api") == nil)
        #expect(ProxyRules.upstreamTarget(uri: "/v1/headers") == nil)
    }

    @Test func credentialAndHopByHopHeadersAreNeverForwarded() {
        let incoming: [(name: String, value: String)] = [
            ("Host", "v"), ("X-Auth-ID", "MA_EVIL"), ("x-auth-token", "CANARY"), ("Authorization", "Bearer x"),
            ("Cookie", "s=1"), ("X-Vault-Signature", "v1; …"), ("Connection", "keep-alive, X-Secret-Hop"),
            ("X-Secret-Hop", "1"), ("Keep-Alive", "5"), ("Transfer-Encoding", "chunked"), ("TE", "trailers"),
            ("Upgrade", "h2c"), ("Proxy-Authorization", "Basic x"), ("Content-Length", "3"), ("Expect", "100-continue"),
            ("X-Vault-Credential", "partner"), ("Content-Type", "application/json"), ("Accept", "application/json"),
            ("User-Agent", "vobiz-python/0.1.1"),
        ]
        let out = ProxyRules.forwardedRequestHeaders(incoming).map(\.name)
        #expect(out == ["Content-Type", "Accept", "User-Agent"])
    }

    @Test func answerHeadersLoseFramingAndCookies() {
        let upstream: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Content-Length", "10"), ("Set-Cookie", "session=abc"),
            ("Connection", "close"), ("Transfer-Encoding", "chunked"), ("X-Request-Id", "r1"),
        ]
        #expect(ProxyRules.returnedResponseHeaders(upstream).map(\.name) == ["Content-Type", "X-Request-Id"])
    }

    @Test func captureReplacesOnlyTheToken() throws {
        let body = Array(#"{"auth_id": "MA_NEW1", "auth_token" :  "tok\"en-CANARY", "name": "Acme", "nested": {"auth_token": "x"}}"#.utf8)
        let out = try #require(CaptureRewrite.replacingToken(in: body, fingerprint: "0123456789abcdef"))
        #expect(String(decoding: out, as: UTF8.self)
            == #"{"auth_id": "MA_NEW1", "auth_token" :  "vaulted:0123456789abcdef", "name": "Acme", "nested": {"auth_token": "x"}}"#)
        #expect(CaptureRewrite.replacingToken(in: Array(#"{"auth_id":"MA_X"}"#.utf8), fingerprint: "f") == nil)
        #expect(CaptureRewrite.replacingToken(in: Array(#"{"auth_token":5}"#.utf8), fingerprint: "f") == nil)
        #expect(CaptureRewrite.replacingToken(in: Array(#"[{"auth_token":"t"}]"#.utf8), fingerprint: "f") == nil)
        #expect(CaptureRewrite.replacingToken(in: Array(#"{"auth_token":"t""#.utf8), fingerprint: "f") == nil)
        #expect(CaptureRewrite.applies(method: "POST", path: "/api/v1/partner/accounts"))
        #expect(CaptureRewrite.applies(method: "POST", path: "/api/v1/partner/accounts/"))
        #expect(!CaptureRewrite.applies(method: "GET", path: "/api/v1/partner/accounts"))
        #expect(!CaptureRewrite.applies(method: "POST", path: "/api/v1/partner/accounts/MA_X/"))
    }

    @Test func replayCacheRefusesUntilExpiryAndStaysBounded() {
        var c = ReplayCache<Int>(capacity: 2048)
        #expect(c.admit(1, until: 100, now: 10) == .fresh)
        #expect(c.admit(1, until: 100, now: 50) == .replayed)
        #expect(c.admit(1, until: 100, now: 100) == .replayed)
        #expect(c.admit(1, until: 200, now: 101) == .fresh)
        for k in 2...5000 { _ = c.admit(k, until: 150, now: 120) }
        #expect(c.count <= 2048)
        #expect(c.admit(9999, until: 300, now: 120) == .full)
        // Once the others expire, room comes back.
        #expect(c.admit(9999, until: 300, now: 160) == .fresh)
        #expect(c.count < 10)
    }

    @Test func signatureTimeRules() throws {
        func sig(_ ts: Int64, _ exp: Int64) -> SealedSignature {
            SealedSignature(kid: "k", ts: ts, exp: exp, nonce: Array(repeating: 1, count: 16), sig: Array(repeating: 2, count: 64))
        }
        try sig(100, 160).checkTimes(now: 130)
        try sig(100, 160).checkTimes(now: 160)
        #expect(throws: SignatureError.expired) { try sig(100, 160).checkTimes(now: 161) }
        #expect(throws: SignatureError.notYetValid) { try sig(200, 260).checkTimes(now: 194) }
        try sig(200, 260).checkTimes(now: 195)
        #expect(throws: SignatureError.lifetimeTooLong) { try sig(100, 401).checkTimes(now: 130) }
    }
}

@Suite struct LoopbackEndpointTests {
    @Test func onlyNumericLoopbackIsAccepted() throws {
        #expect(try LoopbackEndpoint(parsing: "127.0.0.1:8787") == LoopbackEndpoint(parsing: "127.0.0.1:8787"))
        #expect(try LoopbackEndpoint(parsing: "127.1.2.3:1").host == "127.1.2.3")
        #expect(try LoopbackEndpoint(parsing: "[::1]:8787").port == 8787)
        for bad in ["0.0.0.0:8787", "10.0.0.1:80", "localhost:8787", "[::]:8787", "[fe80::1]:1", "example.com:80"] {
            #expect(throws: LoopbackEndpoint.Failure.self, "\(bad)") { try LoopbackEndpoint(parsing: bad) }
            do { _ = try LoopbackEndpoint(parsing: bad) } catch { #expect(error.description.contains("loopback"), "\(bad)") }
        }
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x", "127.0.0:80", "127.0.0.256:80", "[::1]8787"] {
            #expect(throws: LoopbackEndpoint.Failure.self, "\(bad)") { try LoopbackEndpoint(parsing: bad) }
        }
    }
}

@Suite struct JWTRulesTests {
    @Test func expiryIsTheEarlierOfExpiresInAndTheExpClaim() {
        #expect(JWTSessionRules.expiry(issuedAt: 1000, expiresIn: 3600, expClaim: nil) == 4600)
        #expect(JWTSessionRules.expiry(issuedAt: 1000, expiresIn: 3600, expClaim: 2000) == 2000)
        #expect(JWTSessionRules.expiry(issuedAt: 1000, expiresIn: 3600, expClaim: 9000) == 4600)
    }

    @Test func refreshMarginIsTheSmallerOfTheConfigAndATenth() {
        let r = JWTSessionRules(refreshMargin: 300)
        #expect(r.refreshAfter(issuedAt: 0, expiresAt: 3600) == 3300)
        #expect(r.refreshAfter(issuedAt: 0, expiresAt: 600) == 540)
        #expect(JWTSessionRules.usable(expiresAt: 100, now: 94))
        #expect(!JWTSessionRules.usable(expiresAt: 100, now: 95))
    }

    @Test func backoffGrowsWithJitterAndIsCapped() {
        #expect(LoginBackoff.delay(failures: 1, jitter: 0) == 1)
        #expect(LoginBackoff.delay(failures: 4, jitter: 0) == 4 && LoginBackoff.delay(failures: 4, jitter: 0.99) == 8)
        #expect(LoginBackoff.delay(failures: 30, jitter: 0.99) == 299 && LoginBackoff.delay(failures: 30, jitter: 0) == 150)
        let spread = Set((0..<100).map { LoginBackoff.delay(failures: 6, jitter: Double($0) / 100) })
        #expect(spread.count > 5 && spread.allSatisfy { (16...32).contains($0) })
    }

    @Test func loginAnswersAndTheExpClaim() {
        func b64(_ s: String) -> String { Base64.encode(Array(s.utf8), urlSafe: true).replacingOccurrences(of: "=", with: "") }
        let jwt = b64(#"{"alg":"HS256"}"#) + "." + b64(#"{"sub":"PA_X","exp":1800000123}"#) + ".c2ln"
        let ok = Array(#"{"tokens":{"access_token":"\#(jwt)","token_type":"Bearer","expires_in":3600}}"#.utf8)
        guard case .token(let token, let expiresIn, let exp) = ok.withUnsafeBytes({ JWTLogin.parse(status: 200, body: $0) }) else {
            Issue.record("expected a token")
            return
        }
        #expect(token.plainText == jwt && expiresIn == 3600 && exp == 1_800_000_123)
        let bad = Array(#"{"error":"invalid_credentials","message":"Invalid email or password"}"#.utf8)
        guard case .invalidCredentials(let m) = bad.withUnsafeBytes({ JWTLogin.parse(status: 401, body: $0) }) else {
            Issue.record("expected invalid_credentials")
            return
        }
        #expect(m == "Invalid email or password")
        for (status, body) in [(200, "{}"), (200, #"{"tokens":{"access_token":"x"}}"#), (502, "<html>"), (401, #"{"error":"unauthorized"}"#)] {
            guard case .failed = Array(body.utf8).withUnsafeBytes({ JWTLogin.parse(status: status, body: $0) }) else {
                Issue.record("\(body) should fail")
                continue
            }
        }
        #expect(Array("a.b".utf8).withUnsafeBytes { JWTLogin.expClaim(ofJWT: $0) } == nil)
    }

    @Test func theLoginBodyEscapesWhatItCarries() {
        let email = Array("ops@example.com".utf8), password = Array("p\"a\\s\ns\u{1}".utf8)
        let body = email.withUnsafeBytes { e in password.withUnsafeBytes { p in JWTLogin.body(email: e, password: p) } }
        #expect(String(decoding: body, as: UTF8.self) == #"{"email":"ops@example.com","password":"p\"a\\s\ns\u0001"}"#)
    }
}

/// Expected strings printed by the Vobiz Python SDK's `construct_get_url` / `construct_post_url`
/// and `urlunparse` for the same inputs.
@Suite struct CallbackSignatureTests {
    func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    @Test func v3StringsMatchTheSDK() {
        #expect(text(CallbackSignature.v3Message(method: "GET", url: "https://Hooks.Example.com:8443/a/b;x?z=1&a=2&a=1&e=&sp=a+b%20c#frag",
                                                 params: [:], nonce: "n")) == "https://Hooks.Example.com:8443/a/b?a=1&a=2&e=&sp=a b c&z=1.n")
        let post: [String: CallbackSignature.Value] = ["b": .string("2"), "a": .list(["y", "x"]), "n": .object(["k": .string("v")])]
        #expect(text(CallbackSignature.v3Message(method: "POST", url: "https://h.test/p?q=1", params: post, nonce: "n"))
            == "https://h.test/p?q=1.axayb2nkv.n")
        #expect(text(CallbackSignature.v3Message(method: "POST", url: "http://h.test/p/", params: [:], nonce: "n")) == "http://h.test/p/.n")
        #expect(text(CallbackSignature.v3Message(method: "GET", url: "http://h.test/p", params: ["x": .string("1")], nonce: "n"))
            == "http://h.test/p?x=1.n")
    }

    @Test func v2DropsQueryFragmentAndLastSegmentParams() {
        #expect(text(CallbackSignature.v2Message(url: "HTTPS://h.test/a;b/c;d?x=1", nonce: "123")) == "https://h.test/a;b/c123")
    }
}

/// Refusals decided before any grant is consulted are audited under their route's operation.
@Suite struct AuditOperationTests {
    @Test func clientRoutesNameTheirOperation() {
        #expect(AuditOperation.clientRoute("/v1/headers") == .headers)
        #expect(AuditOperation.clientRoute("/v1/proxy/api/v1/Account/MA_X/Call/") == .proxy)
        #expect(AuditOperation.clientRoute("/v1/proxyish") == .other)
        #expect(AuditOperation.clientRoute("/v1/jwt") == .jwt)
        #expect(AuditOperation.clientRoute("/v1/callbacks/verify") == .verifyCallback)
        #expect(AuditOperation.clientRoute("/v1/keys") == .keys)
        #expect(AuditOperation.clientRoute("/nope") == .other)
        for op in GrantOperation.allCases { #expect(AuditOperation(op).rawValue == op.rawValue) }
    }
}
