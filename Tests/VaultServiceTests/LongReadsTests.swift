import Foundation
import Synchronization
import Testing
@testable import VaultCore
@testable import VaultService
@testable import VaultStore

/// Long reads (listing pages, audit verify) run on a connection of their own: a checkpoint the
/// vault's actor makes meanwhile gives up after a moment instead of stalling every client behind
/// the reader, and is made once the reader is done.
@Suite struct LongReadsTests {
    @Test func aCheckpointDoesNotWaitForALongReader() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil)])
        // A reader of the log on a connection and a thread of its own (not the shared pool, which
        // the full suite keeps busy), holding its transaction until the test lets it go.
        let started = Mutex(false), release = Mutex(false)
        let reader = try SQLiteStore.open(at: f.dbPath, readOnly: true)
        let reading = Task.detached { try await Self.onThread {
            try reader.read { tx in
                _ = try tx.accountCounts()
                started.withLock { $0 = true }
                // Ten minutes at most, should the test fail before it lets go.
                for _ in 0..<60_000 where !release.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
                return try tx.accountCounts()
            }
        } }
        // The reader's transaction has begun (on a loaded machine the task may start late).
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        _ = try await f.importJSON(v, [("MA_B", f.token("b"), nil)])
        // Timed inside the vault's actor: the checkpoint's own wait, not this task's.
        let waited = await v.timedCheckpoint()
        #expect(waited < .milliseconds(1_000), "the checkpoint waited \(waited) behind the reader")
        #expect(await v.checkpointOwed)
        release.withLock { $0 = true }
        // The reader saw one snapshot throughout: the import made meanwhile is not in it.
        #expect(try await reading.value[.active] == 1)
        // The destroyer's next look makes the checkpoint it owes.
        #expect(try await v.destroyExpired(actor: f.actor) == 0)
        #expect(await v.checkpointOwed == false)
        reader.close()
    }

    /// Runs `body` on a thread of its own.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }
}

extension VaultService {
    func timedCheckpoint() -> Duration {
        ContinuousClock().measure { checkpoint() }
    }
}
