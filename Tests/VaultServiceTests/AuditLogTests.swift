import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService
@testable import VaultStore
import VaultTestSupport

/// The audit log alone, over a real SQLite store behind a stub that can refuse every write
/// (a full or failing disk): group commit, fail-closed, nothing lost, nothing written twice.
@Suite struct AuditLogTests {
    /// A store whose writes fail while `broken`; reads and everything else go to the real one.
    final class FlakyStorage: VaultStorage, @unchecked Sendable {
        let inner: SQLiteStore
        let dir: String
        var broken = false

        init() throws {
            dir = NSTemporaryDirectory() + "vv-auditlog-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            inner = try SeededStore.create(at: dir + "/vault.db")
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try inner.read(body) }
        func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
            if broken { throw StoreError.io("disk I/O error (stub)") }
            return try inner.write(body)
        }
        func migrate() throws(StoreError) { try inner.migrate() }
        func isCurrent() throws(StoreError) -> Bool { try inner.isCurrent() }
        func checkpoint() throws(StoreError) { try inner.checkpoint() }
        func backup(to path: String) throws(StoreError) { try inner.backup(to: path) }
        func openReader() throws(StoreError) -> any VaultStorage { try inner.openReader() }
        func close() { inner.close() }

        func ops() throws -> [String] { try read { try $0.auditEvents() }.map(\.op) }
    }

    let key = AuditKey(hmac: try! HMACSHA256.Keyed(key: try! SecureBytes.random(count: 32)))

    static func row(_ method: String) -> QueuedAuditRow {
        let caller = Caller(uid: 1000, gid: 1000, pid: 1, user: "app", groups: [], exe: nil, unit: nil, startTime: 1)
        return RequestAudit(caller: caller, operation: .headers, method: method, requestID: method).allowed(mode: "sealed")
    }

    /// The rows' methods in commit order (each row's detail names it).
    func methods(_ s: FlakyStorage) throws -> [String] {
        try s.read { try $0.auditEvents() }.compactMap { e in
            e.detail.flatMap { d in ["A", "B", "C", "D"].first { d.contains("\"method\":\"\($0)\"") } }
        }
    }

    @Test func rowsWaitForTheGroupCommitAndChainOnce() throws {
        let s = try FlakyStorage()
        var log = AuditLog(durability: .batch)
        for m in ["A", "B", "C"] { try log.record(Self.row(m), store: s, key: key) }
        #expect(try s.ops().isEmpty && log.status.pending == 3)
        let flushed = log.flush(store: s, key: key)
        #expect(try methods(s) == ["A", "B", "C"] && flushed && log.status.pending == 0 && log.status.committed == 3)
        let (rows, head) = try s.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(rows, head: head, using: key) == .intact(rows: 3))
        // Nothing queued: a flush writes nothing.
        let again = log.flush(store: s, key: key)
        #expect(try methods(s).count == 3 && again)
    }

    @Test func aFailingStoreClosesTheLogUntilItsRowsAreIn() throws {
        let s = try FlakyStorage()
        var log = AuditLog(durability: .batch)
        try log.record(Self.row("A"), store: s, key: key)
        s.broken = true
        let refused = log.flush(store: s, key: key)
        #expect(!refused && log.status.failing && log.status.lastError?.contains("disk I/O error") == true)
        #expect(throws: Refusal.self) { try log.requireWritable(nowMillis: 0) }
        try log.record(Self.row("B"), store: s, key: key)
        let stillRefused = log.flush(store: s, key: key)
        #expect(!stillRefused && log.status.pending == 2)
        s.broken = false
        let recovered = log.flush(store: s, key: key)
        #expect(recovered)
        try log.requireWritable(nowMillis: 0)
        #expect(try methods(s) == ["A", "B"] && log.status.committed == 2 && !log.status.failing)
    }

    @Test func syncDurabilityRefusesARequestWhoseRowCannotBeWritten() throws {
        let s = try FlakyStorage()
        var log = AuditLog(durability: .sync)
        try log.record(Self.row("A"), store: s, key: key)
        #expect(try methods(s) == ["A"], "a sync row is committed before the answer")
        s.broken = true
        #expect(throws: Refusal.self) { try log.record(Self.row("B"), store: s, key: key) }
        #expect(log.status.pending == 0, "the refused request's row is taken back")
        s.broken = false
        try log.record(Self.row("C"), store: s, key: key)
        #expect(try methods(s) == ["A", "C"])
    }

    @Test func aBatchThatFailsOffTheActorGoesBackInFront() throws {
        let s = try FlakyStorage()
        var log = AuditLog(durability: .batch)
        for m in ["A", "B"] { try log.record(Self.row(m), store: s, key: key) }
        let taken = log.takeBatch(store: s, key: key, nowMillis: 0)
        let batch = try #require(taken)
        let second = log.takeBatch(store: s, key: key, nowMillis: 0)
        #expect(log.flushing && second == nil, "one batch at a time")
        try log.record(Self.row("C"), store: s, key: key)
        log.finish(batch, error: AuditBatch.Failure(text: "disk I/O error (stub)", unavailable: false))
        #expect(log.status.failing && log.status.pending == 3)
        let retaken = log.takeBatch(store: s, key: key, nowMillis: 0)
        let again = try #require(retaken)
        #expect(again.commit() == nil)
        log.finish(again, error: nil)
        #expect(try methods(s) == ["A", "B", "C"] && !log.status.failing && log.status.committed == 3)
    }

    /// On a shared store, a commit that has not answered for `stallMillis` refuses requests
    /// as the store out of reach; on a local store a slow commit refuses nothing.
    @Test func aStalledCommitToASharedStoreRefusesUntilItAnswers() throws {
        let s = try FlakyStorage()
        var shared = AuditLog(durability: .batch, stallMillis: 1000)
        var local = AuditLog(durability: .batch)
        for log in [0, 1] {
            if log == 0 { try shared.record(Self.row("A"), store: s, key: key) } else { try local.record(Self.row("A"), store: s, key: key) }
        }
        let taken = shared.takeBatch(store: s, key: key, nowMillis: 10_000)
        let batch = try #require(taken)
        #expect(local.takeBatch(store: s, key: key, nowMillis: 10_000) != nil)
        try shared.requireWritable(nowMillis: 10_999)
        #expect(!shared.stalled(nowMillis: 10_999))
        let refused = #expect(throws: Refusal.self) { try shared.requireWritable(nowMillis: 11_000) }
        #expect(refused?.type == .storeUnavailable && shared.stalled(nowMillis: 11_000))
        try local.requireWritable(nowMillis: 60_000)
        shared.finish(batch, error: nil)
        try shared.requireWritable(nowMillis: 60_000)
    }

    @Test func aSealedVaultQueuesButCannotCommit() throws {
        let s = try FlakyStorage()
        var log = AuditLog(durability: .batch)
        try log.record(Self.row("A"), store: s, key: nil)
        let batch = log.takeBatch(store: s, key: nil, nowMillis: 0)
        let flushed = log.flush(store: s, key: nil)
        #expect(batch == nil && flushed)
        #expect(try s.ops().isEmpty && log.status.pending == 1)
    }
}
