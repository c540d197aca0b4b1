import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

/// `issueHeaders` on a real temporary vault: policy, scope, state, rate, audit fail-closed.
@Suite(.serialized) struct HeadersServiceTests {
    let caller = Caller(uid: 1000, gid: 1000, pid: 4242, user: "app", groups: [], exe: "/usr/bin/app", unit: "app.service", startTime: 1)

    func service(_ f: Fixture, grants: [Grant], durability: VaultConfig.Durability = .batch) async throws -> VaultService {
        var c = f.config
        c.grants = grants
        c.audit.durability = durability
        do {
            let v = try f.initialize()
            _ = try await f.importJSON(v, [("PA_P", f.token("p"), nil), ("MA_A", f.token("a"), nil), ("MA_B", f.token("b"), nil)])
        }
        let v = try VaultService.open(config: c, unlock: { _ in .key(f.key) }, clock: f.clock.source)
        try await v.prepareSigning(actor: f.actor)
        return v
    }

    /// The problem type of a refused request (nil when it was answered).
    func refusal(_ v: VaultService, _ c: Caller, _ r: HeadersRequest) async -> ProblemType? {
        do {
            _ = try await v.issueHeaders(caller: c, request: r)
            return nil
        } catch {
            return error.type
        }
    }

    func request(_ method: String, _ path: String, credential: String? = nil) -> HeadersRequest {
        HeadersRequest(method: method, url: "https://api.vobiz.ai" + path, credential: credential, bodySHA256: nil)
    }

    @Test func sealedHeadersVerifyAgainstThePublishedKey() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer, .partner], operations: [.headers])])
        let h = try await v.issueHeaders(caller: caller, request: request("POST", "/api/v1/Account/MA_A/Call/"))
        #expect(h.mode == .sealed && h.token == nil && h.authID.rawValue == "MA_A" && h.grant == "app")
        let names = h.headers.map(\.name)
        #expect(names == ["X-Auth-ID", "Accept", "Content-Type", "X-Vault-Signature"])
        let sig = try SealedSignature(parsing: h.headers[3].value)
        #expect(sig.exp - sig.ts == 60 && sig.ts == f.clock.now)
        // The request's audit row takes its time from the same clock.
        _ = await v.flushAudit()
        let row = try await v.auditTail(1).first
        #expect(row?.op == "headers" && row?.atMillis == f.clock.now * 1000)
        let keys = try await v.publicKeys()
        let key = try #require(keys.first { $0.kid == sig.kid })
        let text = SealedSignature.canonicalString(method: "POST", canonicalURL: "https://api.vobiz.ai/api/v1/Account/MA_A/Call/",
                                                   bodySHA256: nil, authID: try AuthID("MA_A"), ts: sig.ts, exp: sig.exp, nonce: sig.nonce)
        #expect(Ed25519Signer.verify(signature: Data(sig.sig), message: Array(text.utf8), publicKey: Data(key.publicKey)))
        #expect(!Ed25519Signer.verify(signature: Data(sig.sig), message: Array(text.replacingOccurrences(of: "POST", with: "GET").utf8),
                                      publicKey: Data(key.publicKey)))
        // A second request gets a fresh nonce.
        let again = try await v.issueHeaders(caller: caller, request: request("POST", "/api/v1/Account/MA_A/Call/"))
        #expect(try SealedSignature(parsing: again.headers[3].value).nonce != sig.nonce)
        // The same signing key survives a restart.
        let w = try VaultService.open(config: v.config, unlock: { _ in .key(f.key) }, clock: f.clock.source)
        try await w.prepareSigning(actor: f.actor)
        let later = try await w.issueHeaders(caller: caller, request: request("GET", "/api/v1/Account/MA_A/Call/"))
        #expect(try SealedSignature(parsing: later.headers[2].value).kid == sig.kid)
        #expect(try await w.publicKeys().count == 1)
    }

    @Test func revealedHeadersCarryTheToken() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [try Grant(name: "sdk", uids: [1000], credentials: [.partner], operations: [.headers], reveal: true)])
        let h = try await v.issueHeaders(caller: caller, request: request("GET", "/api/v1/partner/accounts"))
        #expect(h.mode == .revealed && h.expiresAt == nil)
        #expect(h.token?.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == f.token("p"))
        #expect(!h.headers.contains { $0.name == "X-Vault-Signature" || $0.name == "Content-Type" })
    }

    @Test func refusalsCarryTheirProblemTypeAndAreAudited() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [
            try Grant(name: "calls", uids: [1000], credentials: [.customer(try AuthID("MA_A"))], operations: [.headers], methods: ["GET"],
                      paths: [PathGlob("/api/v1/Account/*/Call/**")]),
        ])
        _ = try await v.revoke("MA_B", compromised: false, reason: nil, actor: f.actor)
        let cases: [(HeadersRequest, ProblemType)] = [
            (request("DELETE", "/api/v1/Account/MA_A/Call/"), .notGranted),
            (request("GET", "/api/v1/Account/MA_A/Recording/"), .notGranted),
            (request("GET", "/api/v1/partner/accounts"), .notGranted),
            (request("GET", "/api/v1/Account/MA_A/Call/", credential: "MA_B"), .scopeMismatch),
            (request("GET", "/api/v1/partner/x", credential: "MA_A"), .scopeMismatch),
            (request("GET", "/api/v1/Account/MA_Z/Call/"), .unknownCredential),
            (request("GET", "/api/v1/Account/MA_B/Call/"), .credentialRevoked),
            (request("GET", "/api/v1/Pricing/"), .badRequest),
            (request("GET", "/api/v1/Pricing/", credential: "MA_A"), .notGranted),
            (HeadersRequest(method: "GET", url: "https://evil.example/api/v1/Account/MA_A/Call/", credential: nil, bodySHA256: nil), .badRequest),
        ]
        for (r, expected) in cases {
            #expect(await refusal(v, caller, r) == expected, "\(r.method) \(r.url)")
        }
        let other = Caller(uid: 1001, gid: 1001, pid: 1, user: "eve", groups: [], exe: "/x", unit: nil, startTime: 1)
        await #expect(throws: Refusal.self) { try await v.issueHeaders(caller: other, request: request("GET", "/api/v1/Account/MA_A/Call/")) }
        #expect(await v.flushAudit())
        let rows = try await v.auditTail(100).filter { $0.op == "headers" }
        #expect(rows.count == cases.count + 1 && rows.allSatisfy { $0.outcome == .refused })
        #expect(rows.last?.actor?.uid == 1001 && rows.last?.reason == "not_granted")
        #expect(try await v.auditVerify() == .intact(rows: try await v.auditTail(1000).count))
    }

    /// The daemon's group commit, yielding the CPU every few rows: every queued row lands, in
    /// order, on an intact chain, and the batch leaves the queue.
    @Test func aBatchCommittedWithYieldsKeepsEveryRowInOrder() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer], operations: [.headers])])
        let before = try await v.auditTail(10_000).count
        let paths = (0..<50).map { "/api/v1/Account/MA_A/Call/\($0)/" }
        for path in paths { _ = try await v.issueHeaders(caller: caller, request: request("GET", path)) }
        let committed = await v.commitQueuedAudit { batch in batch.commit(yieldingEvery: 3) }
        #expect(committed)
        #expect(await v.auditStatus.pending == 0)
        let rows = try await v.auditTail(10_000)
        #expect(rows.count == before + paths.count)
        let details = rows.suffix(paths.count).map { $0.detail ?? "" }
        #expect(zip(details, paths).allSatisfy { $0.contains($1) }, "rows out of order or missing: \(details.prefix(3))")
        #expect(try await v.auditVerify() == .intact(rows: rows.count))
    }

    @Test func rateLimitPerCaller() async throws {
        let f = try Fixture()
        // A rate so low that no scheduling delay refills the bucket between the calls (burst 1).
        let v = try await service(f, grants: [try Grant(name: "slow", uids: [1000, 1001], credentials: [.anyCustomer], operations: [.headers], rate: 0.01)])
        let r = request("GET", "/api/v1/Account/MA_A/Call/")
        _ = try await v.issueHeaders(caller: caller, request: r)
        await #expect(throws: Refusal(.rateLimited, "grant slow allows 0.01 requests per second")) { try await v.issueHeaders(caller: caller, request: r) }
        var other = caller
        other.uid = 1001
        _ = try await v.issueHeaders(caller: other, request: r)
    }

    @Test func auditIsFailClosedAndRecovers() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer], operations: [.headers])])
        let r = request("GET", "/api/v1/Account/MA_A/Call/")
        _ = try await v.issueHeaders(caller: caller, request: r)
        // The disk refuses audit rows (as a full or read-only filesystem would).
        try f.tamper("CREATE TRIGGER no_room BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        #expect(await !v.flushAudit())
        #expect(await refusal(v, caller, r) == .internal)
        let pending = await v.auditStatus.pending
        #expect(pending == 2, "rows kept while the disk refuses them")
        try f.tamper("DROP TRIGGER no_room")
        #expect(await v.flushAudit())
        _ = try await v.issueHeaders(caller: caller, request: r)
        #expect(await v.flushAudit())
        #expect(try await v.auditTail(100).filter { $0.op == "headers" }.count == 3)
        #expect(try await v.auditVerify() == .intact(rows: try await v.auditTail(1000).count))
    }

    @Test func syncDurabilityRefusesWhenTheRowCannotBeWritten() async throws {
        let f = try Fixture()
        let v = try await service(f, grants: [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer], operations: [.headers])],
                                  durability: .sync)
        let r = request("GET", "/api/v1/Account/MA_A/Call/")
        _ = try await v.issueHeaders(caller: caller, request: r)
        #expect(await v.auditStatus.pending == 0)
        try f.tamper("CREATE TRIGGER no_room BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        await #expect(throws: Refusal.self) { try await v.issueHeaders(caller: caller, request: r) }
    }

    @Test func sealedVaultIssuesNothingUntilUnsealed() async throws {
        let f = try Fixture()
        let params = try PassphraseKDFParameters.fresh(opsLimit: 1, memLimit: 8 << 20)
        var c = f.config
        c.grants = [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer], operations: [.headers])]
        do {
            let v = try VaultService.initialize(config: c, master: .passphrase(f.secure("correct horse")), actor: f.actor, kdfParameters: params)
            _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil)])
        }
        // A shared open: the instance that imported may still be on its way out (an actor is
        // released when the runtime lets go of it, not at the end of the scope), holding its lock.
        let v = try VaultService.open(config: c, unlock: nil)
        await #expect(throws: Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`")) {
            try await v.issueHeaders(caller: caller, request: request("GET", "/api/v1/Account/MA_A/Call/"))
        }
        await #expect(throws: ServiceError.wrongMasterKey) { try await v.unseal(.passphrase(f.secure("wrong horse")), actor: f.actor) }
        try await v.unseal(.passphrase(f.secure("correct horse")), actor: f.actor)
        #expect(try await v.issueHeaders(caller: caller, request: request("GET", "/api/v1/Account/MA_A/Call/")).mode == .sealed)
    }
}
