import Testing
@testable import VaultCore

@Suite struct StrictIntegerTests {
    @Test func decimalsHaveOneSpelling() {
        #expect(StrictInteger.decimal("0") == 0 && StrictInteger.decimal("1796000000") == 1_796_000_000)
        for bad in ["", "+1", "-1", "01", "00", " 1", "1 ", "1_000", "１", "0x10", "1e3", "9999999999999999999"] {
            #expect(StrictInteger.decimal(bad) == nil, "\(bad)")
        }
        #expect(StrictInteger.decimal("12345", maxDigits: 4) == nil)
        #expect(StrictInteger.octalMode("0660") == 0o660 && StrictInteger.octalMode("750") == 0o750)
        for bad in ["+660", "-660", "0o660", "0680", "00660", ""] { #expect(StrictInteger.octalMode(bad) == nil, "\(bad)") }
    }

    @Test func sealedSignatureTimesAreDigitsOnly() throws {
        let nonce = Base64.encode(Array(repeating: 1, count: 16), urlSafe: true)
        let sig = Base64.encode(Array(repeating: 2, count: 64), urlSafe: true)
        func header(_ ts: String, _ exp: String) -> String { "v1; kid=k1; ts=\(ts); exp=\(exp); nonce=\(nonce); sig=\(sig)" }
        #expect(try SealedSignature(parsing: header("1796000000", "1796000060")).ts == 1_796_000_000)
        for (ts, exp) in [("+1796000000", "1796000060"), ("01796000000", "1796000060"), ("1796000000", "+1796000060"),
                          ("1796000000", "01796000060"), (" 1796000000", "1796000060"), ("1796000000", "1796000060x")] {
            #expect(throws: SignatureError.self, "\(ts) \(exp)") { try SealedSignature(parsing: header(ts, exp)) }
        }
    }

    @Test func otherSecurityIntegersAreStrictToo() throws {
        #expect(throws: CoreError.self) { try TimeSpan(parsing: "+90d") }
        #expect(throws: CoreError.self) { try TimeSpan(parsing: "090d") }
        #expect(try TimeSpan(parsing: "90d").seconds == 90 * 86_400)
        for bad in ["127.0.0.+1:8787", "127.0.0.01:8787", "127.0.0.1:+8787", "127.0.0.1:08787"] {
            #expect(throws: LoopbackEndpoint.Failure.self, "\(bad)") { try LoopbackEndpoint(parsing: bad) }
        }
        let upstream = try Upstream(baseURL: "https://api.vobiz.ai")
        for bad in ["https://api.vobiz.ai:+443/api/v1/partner/me", "https://api.vobiz.ai:0443/api/v1/partner/me"] {
            #expect(throws: ScopeError.self, "\(bad)") { try ScopedURL(bad, upstream: upstream) }
        }
    }
}

@Suite struct GrantValidationTests {
    func grant(methods: Set<String>? = nil, exes: Set<String>? = nil) throws(PolicyError) -> Grant {
        try Grant(name: "g", uids: [1], exes: exes, credentials: [try CredentialPattern("partner")], operations: [.headers], methods: methods)
    }

    @Test func methodsMustBeHTTPMethods() throws {
        _ = try grant(methods: ["GET", "POST", "PATCH", "DELETE"])
        #expect(throws: PolicyError.self) { try grant(methods: ["GET", "FOO"]) }
        do { _ = try grant(methods: ["FOO"]) } catch { #expect(error.description.contains("FOO is not an HTTP method")) }
    }

    @Test func exesMustBeAbsoluteAndNormalised() throws {
        _ = try grant(exes: ["/usr/bin/python3.12", "/opt/app/bin/app"])
        for bad in ["bin/app", "./app", "/usr/bin/../bin/app", "/usr/./bin/app", "/usr//bin/app", "/usr/bin/app/", "/",
                    "/usr/bin/app\u{0}.evil", ""] {
            #expect(throws: PolicyError.self, "\(bad)") { try grant(exes: [bad]) }
        }
        #expect(PathRules.absoluteProblem("bin/app")?.contains("absolute") == true)
        #expect(PathRules.nulProblem("/a\u{0}b") != nil && PathRules.nulProblem("/a/b") == nil)
    }
}
