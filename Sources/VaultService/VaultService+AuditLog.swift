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

    /// For the daemon's flusher: hands out the queued rows with what is needed to commit them
    /// away from the actor's executor.
    public func takeAuditBatch() -> AuditBatch? {
        auditLog.takeBatch(store: store, key: keys?.audit)
    }

    /// Records the outcome of committing a batch from `takeAuditBatch`.
    public func finishAuditBatch(_ batch: AuditBatch, error: String?) {
        auditLog.finish(batch, error: error)
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
}
