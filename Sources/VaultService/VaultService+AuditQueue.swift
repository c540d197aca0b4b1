import Foundation
import VaultCore
import VaultStore

extension VaultService {
    /// Queues the audit row of a request. With `[audit] durability = "sync"` it is committed
    /// before the answer goes out, and a failed commit refuses the request.
    func record(_ event: AuditEvent) throws(Refusal) {
        auditQueue.append(event)
        if config.audit.durability == .sync {
            guard flushAudit() else { throw Refusal(.internal, "the audit log cannot be written; requests are refused until it can") }
        }
    }

    /// Commits every queued row in one transaction. On failure the rows stay queued, requests
    /// that would use a credential are refused, and the next flush tries again.
    @discardableResult
    public func flushAudit() -> Bool {
        guard !auditQueue.pending.isEmpty, let keys else { return !auditQueue.failing }
        let batch = auditQueue.pending
        do {
            try store.write { tx in
                for e in batch { try tx.appendAudit(e, using: keys.audit) }
            }
            auditQueue.pending.removeFirst(min(batch.count, auditQueue.pending.count))
            auditQueue.committed += batch.count
            auditQueue.failing = false
            auditQueue.lastError = nil
            return true
        } catch {
            auditQueue.failing = true
            auditQueue.lastError = "\(VaultStore.describe(error))"
            return false
        }
    }

    /// Audit queue state for health and metrics.
    public var auditStatus: (pending: Int, failing: Bool, lastError: String?, dropped: Int, committed: Int) {
        (auditQueue.pending.count, auditQueue.failing, auditQueue.lastError, auditQueue.dropped, auditQueue.committed)
    }
}
