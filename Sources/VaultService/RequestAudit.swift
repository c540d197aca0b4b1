import Foundation
import VaultCore

/// The audit facts of one socket request, filled in as the checks progress (Docs/api.md:
/// caller uid/pid/exe, grant, operation, auth_id, version, method, path without query, decision).
struct RequestAudit: Sendable {
    let caller: Caller
    let operation: AuditOperation
    let method: String
    let requestID: String
    /// Who the row names when it is not the caller whose grants decided: the program
    /// `exec --proxy` started, for the calls it makes.
    var actor: ActorIdentity?
    var path: String?
    var authID: AuthID?
    var version: Int64?
    var grant: String?
    /// Every grant's reasons for a policy refusal: for the audit row, not for the caller.
    var denial: String?

    init(caller: Caller, operation: AuditOperation, method: String, requestID: String) {
        self.caller = caller
        self.operation = operation
        self.method = method
        self.requestID = requestID
    }

    func allowed(mode: String) -> QueuedAuditRow {
        QueuedAuditRow(facts: self, outcome: .ok, reason: nil, decision: "allowed", mode: mode, refusal: nil)
    }

    func refused(_ r: Refusal) -> QueuedAuditRow {
        QueuedAuditRow(facts: self, outcome: .refused, reason: r.type.rawValue, decision: "refused", mode: nil,
                       refusal: String((denial ?? r.detail).prefix(1000)))
    }
}

/// The audit row of one request as it waits in the queue: its facts and its time are taken on
/// the request path; the row itself (the detail object) is written when its batch is committed,
/// off the event loop.
struct QueuedAuditRow: Sendable {
    let facts: RequestAudit
    /// Stamped from the vault's clock when the row is queued.
    var atMillis: Int64 = 0
    let outcome: AuditEvent.Outcome
    let reason: String?
    let decision: String
    let mode: String?
    let refusal: String?

    init(facts: RequestAudit, outcome: AuditEvent.Outcome, reason: String?, decision: String, mode: String?, refusal: String?) {
        self.facts = facts
        self.outcome = outcome
        self.reason = reason
        self.decision = decision
        self.mode = mode
        self.refusal = refusal
    }

    /// The detail object, written key by key in sorted order, into one string.
    var event: AuditEvent {
        var d = ""
        d.reserveCapacity(160 + (facts.path?.utf8.count ?? 0) + (refusal?.utf8.count ?? 0))
        d += "{\"decision\":"
        AuditDetail.appendQuoted(decision, to: &d)
        if let refusal {
            d += ",\"detail\":"
            AuditDetail.appendQuoted(refusal, to: &d)
        }
        if let grant = facts.grant {
            d += ",\"grant\":"
            AuditDetail.appendQuoted(grant, to: &d)
        }
        d += ",\"method\":"
        AuditDetail.appendQuoted(facts.method, to: &d)
        if let mode {
            d += ",\"mode\":"
            AuditDetail.appendQuoted(mode, to: &d)
        }
        d += ",\"operation\":"
        AuditDetail.appendQuoted(facts.operation.rawValue, to: &d)
        if let path = facts.path {
            d += ",\"path\":"
            AuditDetail.appendQuoted(path, to: &d)
        }
        d += ",\"request_id\":"
        AuditDetail.appendQuoted(facts.requestID, to: &d)
        d += "}"
        return AuditEvent(seq: 0, atMillis: atMillis, actor: facts.actor ?? facts.caller.identity, op: facts.operation.rawValue,
                          authID: facts.authID?.rawValue, version: facts.version, outcome: outcome, reason: reason, detail: d)
    }
}
