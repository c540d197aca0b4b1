import Foundation

/// One row of the audit log. `mac` chains it to the row before (see `AuditChain`).
public struct AuditEvent: Hashable, Sendable {
    /// Outcome of the audited action.
    public enum Outcome: String, Sendable, Codable {
        case ok
        case refused
        case failed
    }

    public var seq: Int64
    public var atMillis: Int64
    public var actor: ActorIdentity?
    public var op: String
    public var authID: String?
    public var version: Int64?
    public var outcome: Outcome
    public var reason: String?
    /// Compact JSON object with operation-specific fields (grant, method, path, …).
    public var detail: String?
    public var prevMAC: Data
    public var mac: Data

    public init(seq: Int64, atMillis: Int64, actor: ActorIdentity?, op: String, authID: String?, version: Int64?,
                outcome: Outcome, reason: String?, detail: String?, prevMAC: Data = Data(), mac: Data = Data()) {
        self.seq = seq
        self.atMillis = atMillis
        self.actor = actor
        self.op = op
        self.authID = authID
        self.version = version
        self.outcome = outcome
        self.reason = reason
        self.detail = detail
        self.prevMAC = prevMAC
        self.mac = mac
    }

    /// The exact bytes the MAC covers: a version tag and every field, each length-prefixed so
    /// no two different rows share an encoding.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (detail?.utf8.count ?? 0) + (actor?.exe?.utf8.count ?? 0))
        out.append(contentsOf: "vobiz-vault-audit-v1".utf8)
        func field(_ s: String?) {
            guard let s else { out.append(contentsOf: "-1:".utf8); return }
            out.append(contentsOf: String(s.utf8.count).utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: s.utf8)
        }
        field(String(seq))
        field(String(atMillis))
        field(actor.map { String($0.uid) })
        field(actor?.user)
        field(actor?.pid.map { String($0) })
        field(actor?.exe)
        field(op)
        field(authID)
        field(version.map { String($0) })
        field(outcome.rawValue)
        field(reason)
        field(detail)
        out.append(contentsOf: String(prevMAC.count).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: prevMAC)
        return out
    }
}
