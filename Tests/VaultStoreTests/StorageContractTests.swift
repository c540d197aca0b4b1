import Foundation
import Testing
@testable import VaultCore
@testable import VaultStore
import VaultTestSupport

/// What every backend of the storage API must do, run through `any VaultStorage` only: the
/// service sees nothing else. Each backend is one entry of `backends`.
@Suite struct StorageContractTests {
    struct MAC: AuditChain.AuditMAC {
        let salt: UInt8
        func mac(_ m: [UInt8]) -> Data { Data(SHA.digest([salt] + m)) }
        func equal(_ a: Data, _ b: Data) -> Bool { a == b }
    }

    struct Refused: Error {}

    static let backends = ["sqlite", "postgres"]

    /// A fresh, migrated store of `backend` with its metadata row, kept alive by its owner.
    static func make(_ backend: String) throws -> (owner: AnyObject, store: any VaultStorage) {
        switch backend {
        case "sqlite":
            let t = try TempStore()
            return (t, t.store)
        case "postgres":
            let store = try SeededStore.createPostgres(in: try PostgresCluster.shared)
            return (store, store)
        default: throw Refused()
        }
    }

    static func event(_ i: Int) -> AuditEvent {
        AuditEvent(seq: 0, atMillis: Int64(i), actor: nil, op: "op\(i)", authID: nil, version: nil, outcome: .ok, reason: nil, detail: nil)
    }

    @Test(arguments: backends) func aWriteThatThrowsLeavesNothingBehind(_ backend: String) throws {
        let (owner, store) = try Self.make(backend)
        defer { withExtendedLifetime(owner) {} }
        #expect(throws: Refused.self) {
            try store.write { tx in
                var a = AccountRecord(authID: try AuthID("MA_HALF"), label: "half", parent: nil, createdAt: 1)
                try tx.insert(&a)
                try tx.appendAudit(Self.event(1), using: MAC(salt: 1))
                throw Refused()
            }
        }
        let (accounts, rows, head, seq) = try store.read { tx in
            (try tx.accounts(), try tx.auditEvents(), try tx.auditHeadRecord(), try tx.auditHead().seq)
        }
        #expect(accounts.isEmpty && rows.isEmpty && head == nil && seq == 0)
    }

    @Test(arguments: backends) func theChainContinuesAcrossTransactionsAndIsRemacedAsOne(_ backend: String) throws {
        let (owner, store) = try Self.make(backend)
        defer { withExtendedLifetime(owner) {} }
        let old = MAC(salt: 1), new = MAC(salt: 2)
        for n in 1...3 { try store.write { try $0.appendAudit(Self.event(n), using: old) } }
        try store.write { try $0.appendAudit((4...6).map(Self.event), using: old) }
        let (rows, head) = try store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(rows, head: head, using: old) == .intact(rows: 6))
        #expect(try store.read { try $0.auditEvents(after: 2, limit: 2) }.map(\.seq) == [3, 4])
        try store.write { try $0.remacAudit(using: new) }
        let (again, newHead) = try store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(again, head: newHead, using: new) == .intact(rows: 6))
        #expect(AuditChain.verify(again, head: newHead, using: old) != .intact(rows: 6))
        #expect(again.map(\.op) == rows.map(\.op))
    }

    /// Text that would end a row, start a column or stand for NULL in a bulk format comes back
    /// as it went in, in every text column, alongside NULLs and the largest numbers.
    @Test(arguments: backends) func rowsWithHostileTextComeBackAsWritten(_ backend: String) throws {
        let (owner, store) = try Self.make(backend)
        defer { withExtendedLifetime(owner) {} }
        let hostile = ["a\tb\nc\rd", "\\N", "\\.", "\\", "\\x00ff", "tab\there", "é ✓ 𝄞", "\"quoted\", 'single'", "", "line\n\\.\nnext"]
        let events = hostile.enumerated().map { i, text in
            AuditEvent(seq: 0, atMillis: Int64.max - Int64(i), actor: ActorIdentity(uid: UInt32.max, user: text, pid: Int32.max, exe: text),
                       op: text.isEmpty ? "op" : text, authID: text, version: Int64.max, outcome: .refused, reason: text, detail: text)
        } + [Self.event(99)]
        try store.write { try $0.appendAudit(events, using: MAC(salt: 7)) }
        let (rows, head) = try store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(rows, head: head, using: MAC(salt: 7)) == .intact(rows: events.count))
        #expect(rows.map(\.detail) == events.map(\.detail))
        #expect(rows.map(\.reason) == events.map(\.reason))
        #expect(rows.map(\.op) == events.map(\.op))
        #expect(rows.map(\.authID) == events.map(\.authID))
        #expect(rows.map(\.actor) == events.map(\.actor))
        #expect(rows.map(\.atMillis) == events.map(\.atMillis))
        #expect(rows.map(\.version) == events.map(\.version))
    }

    /// A group commit of more rows than one statement carries, a second append in the same
    /// transaction after other writes, and one of exactly a statement's rows: the chain is whole
    /// and its head is the last row (PostgreSQL reads the head with the write lock and moves it
    /// with the last rows).
    @Test(arguments: backends) func longGroupCommitsKeepOneChain(_ backend: String) throws {
        let (owner, store) = try Self.make(backend)
        defer { withExtendedLifetime(owner) {} }
        let chunk = backend == "postgres" ? PostgresTransaction.auditChunk : SQLiteTransaction.auditChunk
        let mac = MAC(salt: 3)
        try store.write { tx in
            var a = AccountRecord(authID: try AuthID("MA_LONG"), label: "long", parent: nil, createdAt: 1)
            try tx.insert(&a)
            try tx.appendAudit((1...(2 * chunk + 7)).map(Self.event), using: mac)
            try tx.appendAudit((1...3).map(Self.event), using: mac)
        }
        try store.write { try $0.appendAudit((1...chunk).map(Self.event), using: mac) }
        try store.write { try $0.appendAudit(Self.event(1), using: mac) }
        let total = 3 * chunk + 11
        let (rows, head, seq) = try store.read { (try $0.auditEvents(), try $0.auditHeadRecord(), try $0.auditHead().seq) }
        #expect(AuditChain.verify(rows, head: head, using: mac) == .intact(rows: total))
        #expect(rows.map(\.seq) == (1...Int64(total)).map { $0 } && seq == Int64(total))
    }
}
