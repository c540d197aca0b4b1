import Foundation
import VaultCore
import VaultStore

extension VaultService {
    /// The last `count` audit rows, oldest first. Needs no key: rows hold no secret.
    public func auditTail(_ count: Int) async throws(ServiceError) -> [AuditEvent] {
        await settleAudit()
        return try auditRows(count)
    }

    func auditRows(_ count: Int) throws(ServiceError) -> [AuditEvent] {
        try read { try $0.auditTail(limit: max(0, count)) }
    }

    /// Up to `limit` rows after row `after`, oldest first, and whether more follow them; without
    /// `after`, the last `limit` rows.
    public func auditPage(after: Int64?, limit: Int) async throws(ServiceError) -> (events: [AuditEvent], more: Bool) {
        await settleAudit()
        guard let after else { return (try auditRows(limit), false) }
        let rows = try await longReads.read { try $0.auditEvents(after: after, limit: limit + 1) }
        return (Array(rows.prefix(limit)), rows.count > limit)
    }

    /// Checks the whole MAC chain and its head; names the first row that breaks it.
    /// Read a row at a time on the long-read connection: the daemon goes on answering.
    public func auditVerify() async throws(ServiceError) -> AuditChain.Verdict {
        await settleAudit()
        // A data-key rekey between taking the key and the read re-MACs every row: check again
        // under the new key rather than report rows edited that were not.
        while true {
            let keys = try requireKeys(), mac = keys.audit
            let verdict = try await longReads.read { tx in try tx.verifyAuditChain(using: mac) }
            if self.keys === keys { return verdict }
        }
    }

    func verifyChain() throws(ServiceError) -> AuditChain.Verdict {
        let keys = try requireKeys()
        return try read { tx in try tx.verifyAuditChain(using: keys.audit) }
    }
}
