import Foundation
import VaultCore
import VaultStore

extension VaultService {
    /// Queues the audit row of a request. With `[audit] durability = "sync"` it is committed
    /// before the answer goes out, and a failed commit refuses the request.
    func record(_ row: QueuedAuditRow) throws(Refusal) {
        var row = row
        row.atMillis = clock.millis
        let before = auditQueue.pending.count
        auditQueue.append(row)
        if config.audit.durability == .sync {
            guard flushAudit() else {
                // The request is refused, so its "allowed" row must not be written later.
                if auditQueue.pending.count > before { auditQueue.pending.removeLast() }
                throw Refusal(.internal, "the audit log cannot be written; requests are refused until it can")
            }
        }
    }

    /// Commits every queued row in one transaction. On failure the rows stay queued, requests
    /// that would use a credential are refused, and the next flush tries again.
    @discardableResult
    public func flushAudit() -> Bool {
        guard !auditQueue.flushing, !auditQueue.pending.isEmpty, let keys else { return !auditQueue.failing }
        let batch = auditQueue.pending
        do {
            try store.write { tx in try tx.appendAudit(batch.map(\.event), using: keys.audit) }
            auditQueue.pending.removeFirst(min(batch.count, auditQueue.pending.count))
            auditQueue.committed += batch.count
            auditQueue.failing = false
            auditQueue.lastError = nil
            return true
        } catch {
            auditQueue.failing = true
            auditQueue.lastError = "\(error)"
            return false
        }
    }

    /// For the daemon's flusher: hands out the queued rows (they stay queued until committed)
    /// with what is needed to commit them away from the actor's executor.
    public func takeAuditBatch() -> AuditBatch? {
        guard !auditQueue.flushing, !auditQueue.pending.isEmpty, let keys else { return nil }
        auditQueue.flushing = true
        // Hand the array over whole, so rows queued meanwhile do not copy it.
        let batch = auditQueue.pending
        auditQueue.pending = []
        auditQueue.inFlight = batch
        return AuditBatch(events: batch, store: store, key: keys.audit)
    }

    /// Records the outcome of committing a batch from `takeAuditBatch`.
    public func finishAuditBatch(_ batch: AuditBatch, error: String?) {
        auditQueue.flushing = false
        let sent = auditQueue.inFlight
        auditQueue.inFlight = []
        if let error {
            auditQueue.pending = sent + auditQueue.pending
            auditQueue.failing = true
            auditQueue.lastError = error
            return
        }
        auditQueue.committed += batch.events.count
        auditQueue.failing = false
        auditQueue.lastError = nil
    }

    /// Commits every queued row before an operator reads the log, waiting (briefly) for a batch
    /// already on its way, so `audit tail` shows the request that just happened.
    public func settleAudit() async {
        for _ in 0..<200 where auditQueue.flushing {
            try? await Task.sleep(for: .milliseconds(5))
        }
        flushAudit()
    }

    /// Audit queue state for health and metrics.
    public var auditStatus: (pending: Int, failing: Bool, lastError: String?, dropped: Int, committed: Int) {
        (auditQueue.pending.count + auditQueue.inFlight.count, auditQueue.failing, auditQueue.lastError, auditQueue.dropped, auditQueue.committed)
    }
}

/// Audit rows on their way to the database, committed off the actor so the request path does
/// not wait for the disk.
public struct AuditBatch: Sendable {
    let events: [QueuedAuditRow]
    let store: any VaultStorage
    let key: AuditKey

    /// Commits the rows in one transaction; returns the error text on failure.
    ///
    /// With `yieldingEvery` n > 0 the committing thread yields the CPU after every n rows it
    /// builds and every n it inserts. On a machine with as many busy threads as cores, a commit
    /// that ran on the event loop's CPU used to hold it for a whole scheduler slice (about 3 ms):
    /// the p99 of requests at a moderate load. A yield with nothing else waiting returns at once.
    public func commit(yieldingEvery n: Int = 0) -> String? {
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
            return "\(error)"
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
