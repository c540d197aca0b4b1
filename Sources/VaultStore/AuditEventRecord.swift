import Foundation
import GRDB
import VaultCore

/// A row of `audit_events` as read back, mapped one to one onto `AuditEvent` (rows are written by
/// `AuditRowBinder`).
struct AuditEventRecord: Codable, Sendable {
    var seq: Int64
    var atMs: Int64
    var actorUID: Int64?
    var actorUser: String?
    var actorPID: Int64?
    var actorExe: String?
    var op: String
    var authID: String?
    var version: Int64?
    var outcome: String
    var reason: String?
    var detail: String?
    var prevMAC: Data
    var mac: Data
    var host: String?

    enum CodingKeys: String, CodingKey {
        case seq, op, version, outcome, reason, detail, mac, host
        case atMs = "at_ms", actorUID = "actor_uid", actorUser = "actor_user", actorPID = "actor_pid"
        case actorExe = "actor_exe", authID = "auth_id", prevMAC = "prev_mac"
    }

    /// An unknown outcome string cannot come from us; it is kept as `failed` so the MAC check,
    /// not this mapping, reports the row as edited.
    var event: AuditEvent {
        let actor = actorUID.map {
            ActorIdentity(uid: UInt32(clamping: $0), user: actorUser ?? "", pid: actorPID.map { Int32(clamping: $0) }, exe: actorExe)
        }
        var e = AuditEvent(seq: seq, atMillis: atMs, actor: actor, op: op, authID: authID, version: version,
                           outcome: AuditEvent.Outcome(rawValue: outcome) ?? .failed, reason: reason, detail: detail,
                           prevMAC: prevMAC, mac: mac)
        e.host = host
        if AuditEvent.Outcome(rawValue: outcome) == nil { e.reason = (reason ?? "") + "\u{0}" }
        return e
    }
}

extension AuditEventRecord: FetchableRecord, TableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let seq = Column(CodingKeys.seq)
    }

    static let databaseTableName = "audit_events"
}
