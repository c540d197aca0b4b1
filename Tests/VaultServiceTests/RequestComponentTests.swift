import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService
@testable import VaultStore

/// The request path's components alone, each with stubs of what it depends on: the
/// authorizer (policy and rates), the opened-token cache, and sealed signatures.
@Suite struct RequestComponentTests {
    let app = Caller(uid: 1000, gid: 1000, pid: 1, user: "app", groups: [], exe: nil, unit: nil, startTime: 1)
    let other = Caller(uid: 1001, gid: 1001, pid: 2, user: "other", groups: [], exe: nil, unit: nil, startTime: 1)

    func request(_ path: String = "/api/v1/Account/MA_ACME/Call/") throws -> PolicyRequest {
        PolicyRequest(operation: .headers, credential: try AuthID("MA_ACME"), method: "GET", path: path)
    }

    @Test func theAuthorizerNamesTheGrantTakesItsRatePerUidAndStartsAfreshOnReload() throws {
        let grant = try Grant(name: "app", uids: [1000, 1001], credentials: [.anyCustomer], operations: [.headers], rate: 2)
        var a = Authorizer(policy: Policy(grants: [grant]))
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 0) == .success(grant))
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 0) == .success(grant))
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 0) == .failure(.rateLimited(grant: "app", rate: 2)))
        // Another uid has its own bucket; time refills this one.
        #expect(try a.grant(request(), caller: other, explicitPathsOnly: false, now: 0) == .success(grant))
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 0.6) == .success(grant))
        // A path outside the trees needs a grant whose paths are written out.
        guard case .failure(.notGranted(let why)) = try a.grant(request("/api/v1/other"), caller: app, explicitPathsOnly: true, now: 1) else {
            Issue.record("an implicit-path grant allowed a path outside the trees")
            return
        }
        #expect(why.contains("no grant allows this"))
        // A reload replaces the policy, clears the last reload error and refills every bucket.
        a.noteReload(error: "line 3: bad")
        #expect(a.reloadError == "line 3: bad")
        for _ in 0..<2 { _ = try a.grant(request(), caller: app, explicitPathsOnly: false, now: 2) }
        a.reload(Policy(grants: [grant]))
        #expect(a.reloadError == nil)
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 2) == .success(grant))
        a.reload(Policy(grants: []))
        #expect(try a.grant(request(), caller: app, explicitPathsOnly: false, now: 2) == .failure(.notGranted(reasons: "no grant allows this (the policy has no grants)")))
    }

    @Test func theTokenCacheOpensEachVersionOnceAndForgetsUnusedTokens() throws {
        var cache = TokenCache()
        var opened = 0
        let id = try AuthID("MA_ACME")
        func open() throws(Refusal) -> SecureBytes {
            opened += 1
            do { return try Array("token-\(opened)".utf8).withUnsafeBytes { try SecureBytes(copying: $0) } } catch {
                throw Refusal(.internal, "\(error)")
            }
        }
        let first = try cache.token(id, version: 1, now: 100, open: open)
        let again = try cache.token(id, version: 1, now: 110, open: open)
        #expect(again.constantTimeEquals(first) && opened == 1)
        _ = try cache.token(id, version: 2, now: 110, open: open)
        #expect(opened == 2 && cache.count == 2)
        // Used at 110: still there at 139, gone at 140.
        cache.evict(now: 139)
        #expect(cache.count == 2)
        cache.evict(now: 140)
        #expect(cache.count == 0)
        _ = try cache.token(id, version: 1, now: 141, open: open)
        #expect(opened == 3)
        // A refusal to open is passed on and keeps nothing.
        #expect(throws: Refusal.self) { try cache.token(id, version: 9, now: 141) { () throws(Refusal) in throw Refusal(.internal, "destroyed") } }
        #expect(cache.count == 1)
    }

    @Test func sealedSignaturesVerifyOnceAndReadKeysAtMostOnceASecond() throws {
        let signer = try Ed25519Signer(seed: try SecureBytes.random(count: Ed25519Signer.seedLength))
        let kid = SealedSignature.kid(for: Array(signer.publicKey))
        var maker = SealedSignatures()
        maker.use(SigningKey(kid: kid, signer: signer))
        let url = try ScopedURL("https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/", upstream: try Upstream(baseURL: "https://api.vobiz.ai"))
        let id = try AuthID("MA_ACME"), body = ProxyRules.emptyBodySHA256
        let sealed = try maker.sign(method: "GET", url: url, bodySHA256: body, authID: id, now: 1000, lifetime: 60)
        #expect(sealed.expiresAt == 1060)

        // Another process's checker: it knows no key until it reads them.
        var reads = 0
        let record = SigningKeyRecord(kid: kid, publicKey: signer.publicKey, sealedSeed: Data(), createdAt: 1)
        func keys() throws -> [SigningKeyRecord] { reads += 1; return [record] }
        var checker = SealedSignatures()
        func verdict(_ header: String, method: String = "GET", at now: Int64 = 1001) -> ProblemType? {
            do { try checker.verify(header, method: method, url: url, bodySHA256: body, authID: id, now: now, keys: keys) } catch {
                return error.type
            }
            return nil
        }
        #expect(verdict(sealed.header) == nil && reads == 1)
        #expect(verdict(sealed.header) == .replayed, "a nonce is spent once")
        let other = try maker.sign(method: "GET", url: url, bodySHA256: body, authID: id, now: 1000, lifetime: 60)
        #expect(verdict(other.header, method: "DELETE") == .signatureInvalid, "bound to its method")
        #expect(verdict(other.header, at: 1061) == .signatureInvalid, "expired")
        #expect(verdict(other.header) == nil && reads == 1, "a known kid reads nothing")
        // Made-up kids: one read per second at most.
        let forged = sealed.header.replacingOccurrences(of: kid, with: String(repeating: "f", count: kid.count))
        for _ in 0..<5 { #expect(verdict(forged, at: 1002) == .signatureInvalid) }
        #expect(reads == 2)
        // The fleet could not be asked: the refusal is the store's, and the retry is not a replay.
        let retried = try maker.sign(method: "GET", url: url, bodySHA256: body, authID: id, now: 1000, lifetime: 60)
        var fleetUp = false
        func spendInFleet(_: [UInt8], _: Int64) throws(Refusal) -> Bool {
            guard fleetUp else { throw Refusal(.storeUnavailable, "down") }
            return true
        }
        func verdictInFleet() -> ProblemType? {
            do { try checker.verify(retried.header, method: "GET", url: url, bodySHA256: body, authID: id, now: 1001, keys: keys, spend: spendInFleet) } catch {
                return error.type
            }
            return nil
        }
        #expect(verdictInFleet() == .storeUnavailable)
        fleetUp = true
        #expect(verdictInFleet() == nil, "the retry after the store came back")
        #expect(verdictInFleet() == .replayed)
        // A vault without a key cannot sign.
        #expect(throws: Refusal.self) { try SealedSignatures().sign(method: "GET", url: url, bodySHA256: nil, authID: id, now: 1, lifetime: 1) }
    }

    @Test func theCallbackVerifierChecksEachTokenThatMayHaveSignedAndSpendsTheNonce() throws {
        let url = "https://app.example/vobiz/answer?call=1"
        func secret(_ s: String) throws -> SecureBytes { try Array(s.utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }
        let active = try secret("active-token"), previous = try secret("previous-token"), parent = try secret("parent-token")
        func sign(_ token: SecureBytes, _ nonce: String) throws -> String {
            Base64.encode(Array(try HMACSHA256.mac(key: token, message: CallbackSignature.v2Message(url: url, nonce: nonce))))
        }
        let tokens: [String: [CallbackVerifier.Candidate]] = ["MA_ACME": [(2, active), (1, previous)], "PA_MAIN": [(1, parent)]]
        var opened: [String] = []
        func lookup(_ owner: String) throws(Refusal) -> [CallbackVerifier.Candidate] {
            opened.append(owner)
            return tokens[owner] ?? []
        }
        var verifier = CallbackVerifier()
        func check(_ headers: [String: String], parentID: String? = "PA_MAIN", now: Int64 = 1000) throws -> CallbackVerdict {
            let request = CallbackRequest(credential: "MA_ACME", method: "POST", url: url, params: [:], headers: headers)
            return try verifier.verdict(request, url: PythonURL(url), account: try AuthID("MA_ACME"), parent: parentID, now: now, tokens: lookup)
        }
        let byActive = try check(["x-vobiz-signature-v2": try sign(active, "n1"), "x-vobiz-signature-v2-nonce": "n1"])
        #expect(byActive == CallbackVerdict(valid: true, scheme: .v2, signedBy: "account", tokenVersion: 2))
        #expect(throws: Refusal.self) { try check(["x-vobiz-signature-v2": try sign(active, "n1"), "x-vobiz-signature-v2-nonce": "n1"]) }
        let byPrevious = try check(["x-vobiz-signature-v2": try sign(previous, "n2"), "x-vobiz-signature-v2-nonce": "n2"])
        #expect(byPrevious.valid && byPrevious.tokenVersion == 1)
        let byParent = try check(["x-vobiz-signature-ma-v2": try sign(parent, "n3"), "x-vobiz-signature-ma-v2-nonce": "n3"])
        #expect(byParent.valid && byParent.signedBy == "parent" && opened.last == "PA_MAIN")
        // The same nonce under another owner is another nonce.
        #expect(try check(["x-vobiz-signature-ma-v2": try sign(parent, "n1"), "x-vobiz-signature-ma-v2-nonce": "n1"]).valid)
        // Refusals that are verdicts, not errors: a wrong token, no parent, no headers.
        let wrong = try check(["x-vobiz-signature-v2": try sign(try secret("someone-else"), "n4"), "x-vobiz-signature-v2-nonce": "n4"])
        #expect(!wrong.valid && wrong.reason?.contains("matches neither") == true)
        #expect(try !check(["x-vobiz-signature-ma-v2": try sign(parent, "n5"), "x-vobiz-signature-ma-v2-nonce": "n5"], parentID: nil).valid)
        #expect(try check([:]).scheme == nil)
        // The fleet could not be asked: the refusal is the store's, and the retry is not a replay.
        var fleetUp = false
        func spendInFleet(_: String, _: String, _: Int64) throws(Refusal) -> Bool {
            guard fleetUp else { throw Refusal(.storeUnavailable, "down") }
            return true
        }
        let n6 = ["x-vobiz-signature-v2": try sign(active, "n6"), "x-vobiz-signature-v2-nonce": "n6"]
        func checkInFleet() throws -> CallbackVerdict {
            let request = CallbackRequest(credential: "MA_ACME", method: "POST", url: url, params: [:], headers: n6)
            return try verifier.verdict(request, url: PythonURL(url), account: try AuthID("MA_ACME"), parent: "PA_MAIN", now: 1000,
                                        tokens: lookup, spend: spendInFleet)
        }
        let down = #expect(throws: Refusal.self) { try checkInFleet() }
        #expect(down?.type == .storeUnavailable)
        fleetUp = true
        #expect(try checkInFleet().valid, "the retry after the store came back")
        #expect((#expect(throws: Refusal.self) { try checkInFleet() })?.type == .replayed)
        // A nonce is refused again for ten minutes, then accepted once more.
        #expect(try check(["x-vobiz-signature-v2": try sign(active, "n1"), "x-vobiz-signature-v2-nonce": "n1"], now: 1000 + 601).valid)
    }
}
