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

    init(caller: Caller, operation: GrantOperation, method: String, requestID: String) {
        self.caller = caller
        self.operation = operation
        self.method = method
        self.requestID = requestID
    }

    func allowed(mode: String) -> AuditEvent {
        event(outcome: .ok, reason: nil, extra: ["decision": "allowed", "mode": mode])
    }

    func refused(_ r: Refusal) -> AuditEvent {
        event(outcome: .refused, reason: r.type.rawValue, extra: ["decision": "refused", "detail": String(r.detail.prefix(500))])
    }

    private func event(outcome: AuditEvent.Outcome, reason: String?, extra: [String: any Sendable]) -> AuditEvent {
        var detail: [String: any Sendable] = ["operation": operation.rawValue, "method": method, "request_id": requestID]
        if let path { detail["path"] = path }
        if let grant { detail["grant"] = grant }
        detail.merge(extra) { $1 }
        return AuditEvent(seq: 0, atMillis: Int64(Date().timeIntervalSince1970 * 1000), actor: caller.identity, op: operation.rawValue,
                          authID: authID?.rawValue, version: version, outcome: outcome, reason: reason, detail: AuditDetail.json(detail))
    }
}
