import Foundation
import VaultCore

/// The audit facts of one socket request, filled in as the checks progress (DESIGN §5, issue:
/// caller uid/pid/exe, grant, operation, auth_id, version, method, path without query, decision).
struct RequestAudit {
    let caller: Caller
    let operation: GrantOperation
    let method: String
    let requestID: String
    var path: String?
    var authID: AuthID?
    var version: Int64?
    var grant: String?
    /// Every grant's reasons for a policy refusal: for the audit row, not for the caller.
    var denial: String?

    init(caller: Caller, operation: GrantOperation, method: String, requestID: String) {
        self.caller = caller
        self.operation = operation
        self.method = method
        self.requestID = requestID
    }

    func allowed(mode: String) -> AuditEvent {
        event(outcome: .ok, reason: nil, decision: "allowed", mode: mode, refusal: nil)
    }

    func refused(_ r: Refusal) -> AuditEvent {
        event(outcome: .refused, reason: r.type.rawValue, decision: "refused", mode: nil, refusal: String((denial ?? r.detail).prefix(1000)))
    }

    /// The detail object, written key by key in sorted order (this runs for every request).
    private func event(outcome: AuditEvent.Outcome, reason: String?, decision: String, mode: String?, refusal: String?) -> AuditEvent {
        var d = "{\"decision\":" + AuditDetail.quoted(decision)
        if let refusal { d += ",\"detail\":" + AuditDetail.quoted(refusal) }
        if let grant { d += ",\"grant\":" + AuditDetail.quoted(grant) }
        d += ",\"method\":" + AuditDetail.quoted(method)
        if let mode { d += ",\"mode\":" + AuditDetail.quoted(mode) }
        d += ",\"operation\":" + AuditDetail.quoted(operation.rawValue)
        if let path { d += ",\"path\":" + AuditDetail.quoted(path) }
        d += ",\"request_id\":" + AuditDetail.quoted(requestID) + "}"
        return AuditEvent(seq: 0, atMillis: Int64(Date().timeIntervalSince1970 * 1000), actor: caller.identity, op: operation.rawValue,
                          authID: authID?.rawValue, version: version, outcome: outcome, reason: reason, detail: d)
    }
}
