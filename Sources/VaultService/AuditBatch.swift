import Foundation
import VaultCore
import VaultStore

/// Audit rows on their way to the database, committed off the actor so the request path does
/// not wait for the disk.
public struct AuditBatch: Sendable {
    let events: [QueuedAuditRow]
    let store: any VaultStorage
    let key: AuditKey

    /// Why a commit failed: the error's text, and whether the store could not be reached (a
    /// shared store down or failing over) rather than refused the rows.
    public struct Failure: Sendable, Equatable {
        public let text: String
        public let unavailable: Bool
    }

    /// Commits the rows in one transaction; returns why not on failure.
    ///
    /// With `yieldingEvery` n > 0 the committing thread yields the CPU after every n rows it
    /// builds and every n it inserts. On a machine with as many busy threads as cores, a commit
    /// that ran on the event loop's CPU used to hold it for a whole scheduler slice (about 3 ms):
    /// the p99 of requests at a moderate load. A yield with nothing else waiting returns at once.
    public func commit(yieldingEvery n: Int = 0) -> Failure? {
        let pause = Pacer(every: n)
        // The rows are written here, on the committing thread, not on the request path.
        var rows: [AuditEvent] = []
        rows.reserveCapacity(events.count)
        for event in events {
            rows.append(event.event)
            pause.tick()
        }
        do {
            try store.write { tx in try tx.appendAudit(rows, using: key, afterEach: n > 0 ? pause.tick : nil) }
            return nil
        } catch {
            return Failure(error)
        }
    }

    /// Yields the CPU every `every` ticks.
    final class Pacer {
        let every: Int
        var count = 0
        init(every: Int) { self.every = every }

        func tick() {
            guard every > 0 else { return }
            count += 1
            if count % every == 0 { sched_yield() }
        }
    }
}

extension AuditBatch.Failure {
    init(_ error: any Error) {
        text = "\(error)"
        unavailable = (error as? StoreError)?.isUnreachable == true
    }
}
