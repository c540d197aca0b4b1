import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService
@testable import VaultStore
import VaultTestSupport

/// The books alone, on a bare store (no vault around it) with a clock the test moves: rotation,
/// rollback, revocation and edits, each with its audit row in the same transaction.
@Suite struct BooksTests {
    final class Bare {
        let dir: String
        let store: SQLiteStore
        /// Tokens are canaries: the leak sweep looks for each in every file the test leaves.
        let canary = "CANARY" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let keys: VaultKeys
        let time = SetClock()
        var books: Books { Books(keys: keys, rotation: VaultConfig.Rotation(), clock: VaultClock(seconds: { [time] in time.now })) }

        init() throws {
            dir = try SuiteSweep.makeRoot("vv-books-")
            SuiteSweep.canary("prefix", canary)
            store = try SeededStore.create(at: dir + "/vault.db")
            keys = try VaultKeys(dataKey: try SecureBytes.random(count: 32))
        }

        deinit { SuiteSweep.remove(dir) }

        /// A token: the canary, then `s`.
        func secret(_ s: String) throws -> SecureBytes { try Array((canary + s).utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }

        /// A customer with version 1 of `token`, as an import leaves it.
        func customer(_ id: String, _ token: String) throws {
            let b = books
            try store.write { tx in
                var a = AccountRecord(authID: try AuthID(id), label: id, parent: nil, createdAt: b.now)
                try tx.insert(&a)
                _ = try b.insertVersion(try self.secret(token), account: a, version: 1, source: .import, reason: nil,
                                        actor: ActorIdentity(uid: 0, user: "root"), tx: tx)
            }
        }

        func versions(_ id: String) throws -> [String] {
            try store.read { tx in try Books.show(id, in: tx).versions.map { "\($0.version):\($0.status.rawValue)" } }
        }

        func ops() throws -> [String] { try store.read { try $0.auditEvents() }.map(\.op) }
    }

    /// A clock a test sets.
    final class SetClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64 = 1_000_000
        var now: Int64 { lock.withLock { value } }
        func advance(_ s: Int64) { lock.withLock { value += s } }
    }

    let root = ActorIdentity(uid: 0, user: "root")

    @Test func rotateKeepsThePreviousVersionForItsGraceAndRollbackSwapsThem() throws {
        let b = try Bare()
        try b.customer("MA_ONE", "token-one-aaaaaaaaaaaa")
        let books = b.books
        let r = try b.store.write { tx in
            try books.rotate("MA_ONE", token: try b.secret("token-two-bbbbbbbbbbbb"), reason: "scheduled", grace: nil, actor: root, tx: tx)
        }
        #expect(r.activeVersion == 2 && r.previousVersion == 1 && r.previousDestroyAfter == b.time.now + VaultConfig.Rotation().grace.seconds)
        #expect(try b.versions("MA_ONE") == ["2:active", "1:previous"])
        // The same token again is refused, and the refusal leaves nothing behind.
        #expect(throws: ServiceError.sameToken("MA_ONE")) {
            try b.store.write { tx in
                try books.rotate("MA_ONE", token: try b.secret("token-two-bbbbbbbbbbbb"), reason: nil, grace: nil, actor: root, tx: tx)
            }
        }
        let back = try b.store.write { tx in try books.rollback("MA_ONE", reason: nil, actor: root, tx: tx) }
        #expect(try b.versions("MA_ONE") == ["2:previous", "1:active"] && back.activeVersion == 1)
        #expect(try b.ops() == ["rotate", "rollback"])
        let (rows, head) = try b.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(rows, head: head, using: b.keys.audit) == .intact(rows: 2))
    }

    @Test func aCompromiseIsKeptAndItsRotationDestroysTheLeakedVersionAtOnce() throws {
        let b = try Bare()
        try b.customer("MA_ONE", "token-one-aaaaaaaaaaaa")
        let books = b.books
        let revoked = try b.store.write { tx in try books.revoke("MA_ONE", compromised: true, reason: "leaked", actor: root, tx: tx) }
        #expect(revoked.state == .compromised)
        let again = try b.store.write { tx in try books.revoke("MA_ONE", compromised: false, reason: nil, actor: root, tx: tx) }
        #expect(again.state == .compromised, "revoking again never forgets a compromise")
        let r = try b.store.write { tx in
            try books.rotate("MA_ONE", token: try b.secret("token-two-bbbbbbbbbbbb"), reason: nil, grace: nil, actor: root, tx: tx)
        }
        #expect(try b.versions("MA_ONE") == ["2:active", "1:destroyed"] && r.previousVersion == nil)
        #expect(try b.store.read { try Books.show("MA_ONE", in: $0) }.state == .active)
    }

    @Test func editsAndTheirRefusals() throws {
        let b = try Bare()
        try b.customer("MA_ONE", "token-one-aaaaaaaaaaaa")
        let books = b.books
        #expect(throws: ServiceError.self) { try Books.checkEdit(maxAge: TimeSpan(seconds: 0), warn: nil, resetPolicy: false) }
        #expect(throws: ServiceError.self) { try Books.checkEdit(maxAge: .days(30), warn: nil, resetPolicy: true) }
        let edited = try b.store.write { tx in
            try books.edit("MA_ONE", label: "Acme", maxAge: .days(30), warn: .days(3), resetPolicy: false, actor: root, tx: tx)
        }
        #expect(edited.label == "Acme" && edited.maxAge == .days(30) && edited.warn == .days(3))
        #expect(throws: (any Error).self) {
            try b.store.write { tx in try books.edit("MA_ONE", label: "bad\u{7}", maxAge: nil, warn: nil, resetPolicy: false, actor: root, tx: tx) }
        }
        #expect(try b.store.read { try Books.show("MA_ONE", in: $0) }.label == "Acme")
        #expect(try b.ops() == ["edit"])
    }

    @Test func dueListsTheMostUrgentFirst() throws {
        let b = try Bare()
        try b.customer("MA_OLD", "token-old-aaaaaaaaaaaa")
        b.time.advance(86_400 * 10)
        try b.customer("MA_NEW", "token-new-bbbbbbbbbbbb")
        let accounts = try b.store.read { try $0.accountInfos() }
        let policy = RotationPolicy(maxAge: .days(30), warn: .days(25))
        let due = Books.due(accounts, defaults: policy, now: b.time.now + 86_400 * 10, window: nil)
        #expect(due.map(\.account.authID.rawValue) == ["MA_OLD", "MA_NEW"])
        #expect(Books.due(accounts, defaults: policy, now: b.time.now, window: .days(1)).isEmpty)
    }
}
