import Testing
@testable import VaultCore

@Suite struct ScopeTests {
    let up = try! Upstream(baseURL: "https://api.vobiz.ai")

    func scoped(_ url: String) throws(ScopeError) -> ScopedURL { try ScopedURL(url, upstream: up) }

    @Test func partnerAndCustomerPaths() throws {
        #expect(try scoped("https://api.vobiz.ai/api/v1/partner/accounts").implied == .partner)
        #expect(try scoped("https://api.vobiz.ai/api/v1/partner").implied == .partner)
        #expect(try scoped("https://api.vobiz.ai/api/v1/Account/MA_ABC/Call/").implied == .customer(try AuthID("MA_ABC")))
        #expect(try scoped("https://api.vobiz.ai/api/v1/account/MA_ABC/Call/?limit=5").implied == .customer(try AuthID("MA_ABC")))
        #expect(try scoped("https://api.vobiz.ai/api/v1/Account/MA_ABC/").implied == .customer(try AuthID("MA_ABC")))
        #expect(try scoped("https://api.vobiz.ai/api/v1/Pricing/").implied == .none)
        #expect(try scoped("https://api.vobiz.ai/healthz").implied == .none)
    }

    @Test func canonicalFormKeepsPathAndQueryExactly() throws {
        let s = try scoped("HTTPS://API.Vobiz.AI:443/api/v1/Account/MA_A/Call/?b=2&a=1%20x")
        #expect(s.canonical == "https://api.vobiz.ai/api/v1/Account/MA_A/Call/?b=2&a=1%20x")
        #expect(s.path == "/api/v1/Account/MA_A/Call/" && s.query == "b=2&a=1%20x")
        let local = try ScopedURL("http://127.0.0.1:8099/api/v1/partner/me", upstream: try Upstream(baseURL: "http://127.0.0.1:8099"))
        #expect(local.canonical == "http://127.0.0.1:8099/api/v1/partner/me")
    }

    @Test(arguments: [
        // traversal and encodings
        "https://api.vobiz.ai/api/v1/Account/MA_A/../MA_B/Call/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/./Call/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%2e%2e/MA_B/",
        "https://api.vobiz.ai/api/v1/Account/MA_A%2FMA_B/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%2F/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%25/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%5c/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%00/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/%zz/",
        "https://api.vobiz.ai/api/v1/Account/MA_A/x%2",
        "https://api.vobiz.ai/api/v1//Account/MA_A/",
        "https://api.vobiz.ai//api/v1/partner/",
        "https://api.vobiz.ai/api/v1/Account/MA_A\\..\\MA_B/",
        // host confusion
        "https://user@api.vobiz.ai/api/v1/partner/",
        "https://api.vobiz.ai@evil.example/api/v1/partner/",
        "https://api.vobiz.ai.evil.example/api/v1/partner/",
        "https://evilapi.vobiz.ai/api/v1/partner/",
        "https://api.vobiz.ai./api/v1/partner/",
        "https://api.vobiz.ai:8443/api/v1/partner/",
        "http://api.vobiz.ai/api/v1/partner/",
        "ftp://api.vobiz.ai/api/v1/partner/",
        "https://[::1]/api/v1/partner/",
        "https://api.vobiz.ai:/api/v1/partner/",
        // fragments, control, non-ASCII, shapes
        "https://api.vobiz.ai/api/v1/partner/#frag",
        "https://api.vobiz.ai/api/v1/partner/\u{0}",
        "https://api.vobiz.ai/api/v1/partner/\t",
        "https://api.vobiz.ai/api/v1/partner/ x",
        "https://api.vobiz.ai/api/v1/partner/ü",
        "https://api.vobiz.ai/api/v1/partner/?q=\u{7f}",
        "/api/v1/partner/",
        "https://api.vobiz.ai",
        "https://api.vobiz.ai/api/v1/Account/PA_X/",
        "https://api.vobiz.ai/api/v1/Account/not-an-id/",
        // other spellings and encodings of the trees' names
        "https://api.vobiz.ai/api/v1/%41ccount/MA_A/",
        "https://api.vobiz.ai/api/v1/%70artner/accounts",
        "https://api.vobiz.ai/api/v1/ACCOUNT/MA_A/",
        "https://api.vobiz.ai/api/v1/Partner/accounts",
        "https://api.vobiz.ai/api/v1/Account;x/MA_A/",
        "https://api.vobiz.ai/api/v1/Account/MA_A;v=1/",
    ])
    func refusedURLs(_ url: String) {
        #expect(throws: ScopeError.self) { try scoped(url) }
    }

    @Test func overlongPathsAreRefused() throws {
        let long = "https://api.vobiz.ai/api/v1/partner/" + String(repeating: "a", count: 2048)
        #expect(throws: ScopeError.tooLong(2048 + 16)) { try scoped(long) }
        _ = try scoped("https://api.vobiz.ai/api/v1/partner/" + String(repeating: "a", count: 2000))
    }

    @Test func globs() throws {
        let g = try PathGlob("/api/v1/Account/*/Call/**")
        #expect(g.matches("/api/v1/Account/MA_A/Call/"))
        #expect(g.matches("/api/v1/Account/MA_A/Call/abc/def"))
        #expect(!g.matches("/api/v1/Account/MA_A/Recording/"))
        #expect(!g.matches("/api/v1/Account/MA_A/x/Call/"))
        #expect(try PathGlob("/**").matches("/anything/at/all"))
        #expect(try PathGlob("/api/v1/partner/acc*").matches("/api/v1/partner/accounts"))
        #expect(!(try PathGlob("/api/v1/partner/acc*").matches("/api/v1/partner/accounts/x")))
        #expect(try PathGlob("/a/**/z").matches("/a/z") && PathGlob("/a/**/z").matches("/a/b/c/z"))
        #expect(throws: PolicyError.self) { try PathGlob("/a/b**") }
        #expect(throws: PolicyError.self) { try PathGlob("relative") }
    }

    func caller(uid: UInt32 = 1000, groups: [UInt32] = [], exe: String? = "/usr/bin/python3", unit: String? = nil) -> Caller {
        Caller(uid: uid, gid: uid, pid: 42, user: "app", groups: groups, exe: exe, unit: unit, startTime: 1)
    }

    @Test func policyIsDefaultDenyAndNamesTheGrant() throws {
        let billing = try Grant(name: "billing", uids: [1000], credentials: [.anyCustomer], operations: [.headers],
                                methods: ["GET"], paths: [PathGlob("/api/v1/Account/*/Call/**")])
        let admin = try Grant(name: "admin", gids: [50], units: ["ops.service"], credentials: [.partner], operations: [.headers, .proxy],
                              reveal: true)
        let policy = Policy(grants: [billing, admin])
        let read = PolicyRequest(operation: .headers, credential: try AuthID("MA_X"), method: "GET", path: "/api/v1/Account/MA_X/Call/")
        #expect(policy.decide(caller(), read).grant?.name == "billing")
        guard case .denied(let why) = policy.decide(caller(), PolicyRequest(operation: .headers, credential: try AuthID("MA_X"),
                                                                          method: "DELETE", path: "/api/v1/Account/MA_X/Call/")) else {
            Issue.record("allowed"); return
        }
        #expect(why.map(\.grant) == ["billing", "admin"])
        #expect(why[0].reasons == ["method DELETE is not in [\"GET\"]"])
        #expect(policy.decide(caller(uid: 1001), read).grant == nil)
        let partner = PolicyRequest(operation: .proxy, credential: try AuthID("PA_P"), method: "POST", path: "/api/v1/partner/accounts")
        #expect(policy.decide(caller(uid: 7, groups: [50], unit: "ops.service"), partner).grant?.name == "admin")
        #expect(policy.decide(caller(uid: 7, groups: [50], unit: "other.service"), partner).grant == nil)
        #expect(Policy(grants: []).decide(caller(), read).grant == nil)
        #expect(throws: PolicyError.self) { try Grant(name: "nobody", credentials: [.partner], operations: [.headers]) }
    }

    @Test func credentialPatterns() throws {
        #expect(try CredentialPattern("MA_*").matches(try AuthID("MA_Q")))
        #expect(!(try CredentialPattern("MA_*").matches(try AuthID("PA_Q"))))
        #expect(try CredentialPattern("partner").matches(try AuthID("PA_Q")))
        #expect(try CredentialPattern("MA_Q").matches(try AuthID("MA_Q")))
        #expect(!(try CredentialPattern("MA_Q").matches(try AuthID("MA_R"))))
        #expect(throws: PolicyError.self) { try CredentialPattern("PA_Q") }
        #expect(throws: PolicyError.self) { try CredentialPattern("*") }
    }

    @Test func sealedSignatureHeaderRoundTrips() throws {
        let s = SealedSignature(kid: "abcDEF123456", ts: 1_800_000_000, exp: 1_800_000_060, nonce: Array(repeating: 7, count: 16),
                                sig: Array(repeating: 9, count: 64))
        let parsed = try SealedSignature(parsing: s.headerValue)
        #expect(parsed == s)
        for bad in ["v2; kid=a; ts=1; exp=2; nonce=AAAAAAAAAAAAAAAAAAAAAA; sig=x", "v1; kid=a; ts=1; exp=1; nonce=AAAAAAAAAAAAAAAAAAAAAA; sig=x",
                    "v1; kid=a; kid=b", s.headerValue + "; extra=1", s.headerValue.replacingOccurrences(of: "kid=abcDEF123456", with: "kid=a b"), ""] {
            #expect(throws: SignatureError.self, "\(bad)") { try SealedSignature(parsing: bad) }
        }
        let text = SealedSignature.canonicalString(method: "POST", canonicalURL: "https://api.vobiz.ai/api/v1/partner/accounts",
                                                   bodySHA256: nil, authID: try AuthID("PA_P"), ts: 10, exp: 70, nonce: [0xfb, 0xff])
        #expect(text == "vobiz-vault-v1\nPOST\nhttps://api.vobiz.ai/api/v1/partner/accounts\n-\nPA_P\n10\n70\n-_8")
    }

    @Test func headersRequestsAreStrict() throws {
        func decode(_ s: String) throws(RequestError) -> HeadersRequest {
            let r: Result<HeadersRequest, RequestError> = Array(s.utf8).withUnsafeBytes { b in
                do throws(RequestError) { return .success(try HeadersRequest(json: b)) } catch { return .failure(error) }
            }
            return try r.get()
        }
        let ok = try decode(#"{"method":"POST","url":"https://api.vobiz.ai/api/v1/partner/accounts","body_sha256":"\#(String(repeating: "a", count: 64))"}"#)
        #expect(ok.method == "POST" && ok.credential == nil && ok.bodySHA256?.count == 64)
        for bad in [#"{"method":"GET"}"#, #"{"method":"get","url":"x"}"#, #"{"method":"GET","url":"x","credentials":"MA_X"}"#,
                    #"{"method":"GET","url":"x","body_sha256":"ABC"}"#, #"[]"#, #"{"method":"GET","url":5}"#, "{"] {
            #expect(throws: RequestError.self, "\(bad)") { try decode(bad) }
        }
    }

    @Test func tokenBucket() {
        var b = TokenBucket(rate: 2, now: 0)
        #expect(b.take(now: 0) && b.take(now: 0) && !b.take(now: 0))
        #expect(b.take(now: 0.5) && !b.take(now: 0.5))
    }
}
