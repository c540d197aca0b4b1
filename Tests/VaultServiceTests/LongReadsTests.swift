import Foundation
import Synchronization
import Testing
@testable import VaultCore
@testable import VaultService

/// Long reads (listing pages, audit verify) run on a connection of their own: a checkpoint the
/// vault's actor makes meanwhile gives up after a moment instead of stalling every client behind
/// the reader, and is made once the reader is done.
@Suite struct LongReadsTests {
    @Test func aCheckpointDoesNotWaitForALongReader() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil)])
        // The reader holds its transaction until the test lets it go (two minutes at most: in
        // the full suite this test's own task may wait long for a thread).
        let started = Mutex(false), release = Mutex(false)
        let reading = Task.detached {
            try await v.longReads.read { tx in
                _ = try tx.accountCounts()
                started.withLock { $0 = true }
                for _ in 0..<12_000 where !release.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
                return try tx.accountCounts()
            }
        }
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
    }
}

extension VaultService {
    func timedCheckpoint() -> Duration {
        ContinuousClock().measure { checkpoint() }
    }
}
