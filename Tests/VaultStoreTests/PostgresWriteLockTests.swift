import Foundation
import Testing
import VaultCore
@testable import VaultStore
import VaultTestSupport

/// Two hosts' stores appending to one audit chain at once, on a server whose default isolation
/// is repeatable read: each write must see, once it holds the fleet's write lock, the head that
/// the writes before it committed.
@Suite struct PostgresWriteLockTests {
    struct MAC: AuditChain.AuditMAC {
        func mac(_ m: [UInt8]) -> Data { Data(SHA.digest([9] + m)) }
        func equal(_ a: Data, _ b: Data) -> Bool { a == b }
    }

    @Test func concurrentGroupCommitsOfTwoHostsMakeOneChain() throws {
        let cluster = try PostgresCluster.shared
        let a = try SeededStore.createPostgres(in: cluster, host: "host-a")
        let db = a.settings.url.database
        _ = try cluster.psql("ALTER DATABASE \(db) SET default_transaction_isolation = 'repeatable read'")
        // Connections opened from here on start in repeatable read: every one of host B's.
        let b = PostgresStore.connect(PostgresSettings(url: a.settings.url, password: nil, host: "host-b"))
        #expect(try cluster.psql("SHOW default_transaction_isolation", database: db) == "repeatable read")
        let writers = 40, rowsEach = 3
        let failures = NSLock()
        nonisolated(unsafe) var failed: [String] = []
        DispatchQueue.concurrentPerform(iterations: writers) { i in
            let events = (0..<rowsEach).map { n in
                AuditEvent(seq: 0, atMillis: Int64(i * 10 + n), actor: nil, op: "w\(i)", authID: nil, version: nil, outcome: .ok, reason: nil, detail: nil)
            }
            do {
                try (i % 2 == 0 ? a : b).write { try $0.appendAudit(events, using: MAC()) }
            } catch {
                failures.withLock { failed.append("\(error)") }
            }
        }
        #expect(failed.isEmpty, "\(failed.count) writes failed, first: \(failed.first ?? "")")
        let (rows, head) = try a.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(AuditChain.verify(rows, head: head, using: MAC()) == .intact(rows: writers * rowsEach))
        #expect(Set(rows.compactMap(\.host)) == ["host-a", "host-b"])
        // Each write's rows are consecutive: one group commit holds the lock from head to commit.
        for w in 0..<writers {
            let seqs = rows.filter { $0.op == "w\(w)" }.map(\.seq)
            #expect(seqs.count == rowsEach && seqs.last! - seqs.first! == Int64(rowsEach - 1), "writer \(w): \(seqs)")
        }
    }
}
