import Foundation
import VaultCore
import VaultStore

extension VaultService {
    /// Queues the audit row of a request, stamped with the vault's clock (`AuditLog.record`).
    func record(_ row: QueuedAuditRow) throws(Refusal) {
        var row = row
        row.atMillis = clock.millis
        try auditLog.record(row, store: store, key: keys?.audit)
    }

    /// Commits every queued row in one transaction (`AuditLog.flush`).
    @discardableResult
    public func flushAudit() -> Bool {
        auditLog.flush(store: store, key: keys?.audit)
    }

    /// One turn of the audit log's timer: the refusal summaries that are due, then the queued
    /// rows. With batch durability `commit` writes them away from the actor's executor (the
    /// request path never waits for the disk); with sync durability each request committed its
    /// own row and this only retries after a failure. Whether the log is writable.
    public func commitQueuedAudit(offActor commit: @Sendable (AuditBatch) async -> AuditBatch.Failure?) async -> Bool {
        writeRefusalSummaries()
        guard config.audit.durability == .batch, let batch = auditLog.takeBatch(store: store, key: keys?.audit, nowMillis: clock.millis) else {
            return flushAudit()
        }
        let error = await commit(batch)
        auditLog.finish(batch, error: error)
        return error == nil
    }

    /// Commits every queued row before an operator reads the log, waiting (briefly) for a batch
    /// already on its way, so `audit tail` shows the request that just happened.
    public func settleAudit() async {
        for _ in 0..<200 where auditLog.flushing {
            try? await Task.sleep(for: .milliseconds(5))
        }
        flushAudit()
    }

    /// Audit queue state for health and metrics.
    public var auditStatus: (pending: Int, failing: Bool, lastError: String?, dropped: Int, committed: Int) {
        auditLog.status
    }

    /// Whether the audit log fails because the shared store cannot be reached.
    public var storeUnavailable: Bool { (auditLog.failing && auditLog.storeUnavailable) || auditLog.stalled(nowMillis: clock.millis) }
}
