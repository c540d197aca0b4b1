import Foundation
import Testing
@testable import VaultCore
@testable import VaultStore
import VaultTestSupport

/// What copying a vault between stores needs of every backend (`store migrate`): rows read by
/// row id a page at a time, tables counted, and the audit log inserted verbatim, refused unless
/// each row continues the chain as stored.
@Suite struct CopyContractTests {
    typealias Contract = StorageContractTests

    static let mac = Contract.MAC(salt: 7)

    /// A store of `backend` to copy into, and what it copies: the `n` chained rows (under
    /// `mac`) of a SQLite store and their head. Both stores live as long as the fixture.
    struct Fixture {
        let owners: [AnyObject]
        let store: any VaultStorage
        let rows: [AuditEvent]
        let head: AuditChain.Head?

        init(_ backend: String, rows n: Int) throws {
            let source = try TempStore()
            try source.store.write { try $0.appendAudit((1...n).map(Contract.event), using: CopyContractTests.mac) }
            (rows, head) = try source.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
            let (owner, store) = try Contract.make(backend)
            self.store = store
            owners = [source, owner]
        }
    }

    @Test(arguments: Contract.backends) func anAuditLogCopiedAPageAtATimeVerifiesAndGoesOn(_ backend: String) throws {
        let f = try Fixture(backend, rows: 5)
        try f.store.write { tx in
            try tx.copyAudit(Array(f.rows.prefix(3)), head: nil)
            try tx.copyAudit(Array(f.rows.dropFirst(3)), head: nil)
            try tx.copyAudit([], head: f.head)
        }
        let (copied, copiedHead) = try f.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(copied == f.rows && copiedHead == f.head, "verbatim: every field, both MACs, the head")
        #expect(try f.store.read { try $0.verifyAuditChain(using: Self.mac) } == .intact(rows: 5))
        try f.store.write { try $0.appendAudit(Contract.event(6), using: Self.mac) }
        #expect(try f.store.read { try $0.verifyAuditChain(using: Self.mac) } == .intact(rows: 6))
    }

    @Test(arguments: Contract.backends) func aRowThatDoesNotContinueTheChainIsRefusedAndNothingStays(_ backend: String) throws {
        let f = try Fixture(backend, rows: 4)
        var forged = f.rows[1]
        forged.prevMAC = Data(repeating: 1, count: 32)
        let attempts: [[AuditEvent]] = [Array(f.rows.dropFirst()), [f.rows[0], f.rows[2]], [f.rows[0], forged]]
        for attempt in attempts {
            #expect(throws: StoreError.self) { try f.store.write { try $0.copyAudit(attempt, head: nil) } }
        }
        #expect(throws: StoreError.self, "a head that names another row") {
            try f.store.write { try $0.copyAudit(Array(f.rows.prefix(2)), head: f.head) }
        }
        let (left, leftHead) = try f.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(left.isEmpty && leftHead == nil)
    }

    @Test(arguments: Contract.backends) func rowsAreReadByRowIDAndCounted(_ backend: String) throws {
        let (owner, store) = try Contract.make(backend)
        defer { withExtendedLifetime(owner) {} }
        let actor = ActorIdentity(uid: 0, user: "root")
        let ids: [Int64] = try store.write { tx in
            try ["MA_C", "MA_A", "MA_B"].map { name in
                var a = AccountRecord(authID: try AuthID(name), label: "", parent: nil, createdAt: 1)
                try tx.insert(&a)
                for n in 1...2 {
                    var v = TokenVersionRecord(accountID: try a.storedID, version: Int64(n), status: n == 2 ? .active : .pending,
                                               ciphertext: Data([UInt8(n)]), fingerprint: "f", source: .import, createdAt: 1, actor: actor, reason: nil)
                    try tx.insert(&v)
                }
                return try a.storedID
            }
        }
        let (first, rest, versions, counts) = try store.read { tx in
            (try tx.accountRows(after: 0, limit: 2), try tx.accountRows(after: ids[1], limit: 2),
             try tx.versionRows(after: 0, limit: 100), try tx.rowCounts())
        }
        #expect(first.map(\.authID) == ["MA_C", "MA_A"] && rest.map(\.authID) == ["MA_B"], "row id order, not auth id order")
        let versionIDs = try versions.map { try $0.storedID }
        #expect(versionIDs.count == 6 && versionIDs == versionIDs.sorted())
        #expect(counts == [.vaultMeta: 1, .accounts: 3, .tokenVersions: 6, .loginCredentials: 0, .jwtSessions: 0, .signingKeys: 0, .auditEvents: 0])
    }
}
