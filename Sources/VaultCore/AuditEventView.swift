import Foundation

/// One audit row as the admin API answers it and `audit tail --json` prints it; `audit export`
/// adds the row's MACs.
public struct AuditEventView: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: String
    public var atMillis: Int64
    public var actorUID: Int?
    public var actorUser: String?
    public var actorPID: Int?
    public var actorExe: String?
    public var op: String
    public var authID: String?
    public var version: Int64?
    public var outcome: String
    public var reason: String?
    public var detail: JSONAny
    /// The fleet host that wrote it (absent on a single host).
    public var host: String?
    /// Hex MACs: only in `audit export`.
    public var prevMAC: String?
    public var mac: String?

    enum CodingKeys: String, CodingKey {
        case seq, at, atMillis = "at_ms", actorUID = "actor_uid", actorUser = "actor_user", actorPID = "actor_pid"
        case actorExe = "actor_exe", op, authID = "auth_id", version, outcome, reason, detail, prevMAC = "prev_mac", mac, host
    }

    public init(_ e: AuditEvent, withMACs: Bool = false) {
        seq = e.seq
        at = Timestamp.iso(e.atMillis / 1000)
        atMillis = e.atMillis
        actorUID = e.actor.map { Int($0.uid) }
        actorUser = e.actor?.user
        actorPID = e.actor?.pid.map { Int($0) }
        actorExe = e.actor?.exe
        op = e.op
        authID = e.authID
        version = e.version
        outcome = e.outcome.rawValue
        reason = e.reason
        detail = e.detail.flatMap { JSONAny(parsing: $0) } ?? .null
        host = e.host
        prevMAC = withMACs ? Hex.encode(e.prevMAC) : nil
        mac = withMACs ? Hex.encode(e.mac) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(at, forKey: .at)
        try c.encode(atMillis, forKey: .atMillis)
        try c.encode(actorUID, forKey: .actorUID)
        try c.encode(actorUser, forKey: .actorUser)
        try c.encode(actorPID, forKey: .actorPID)
        try c.encode(actorExe, forKey: .actorExe)
        try c.encode(op, forKey: .op)
        try c.encode(authID, forKey: .authID)
        try c.encode(version, forKey: .version)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(host, forKey: .host)
        try c.encodeIfPresent(prevMAC, forKey: .prevMAC)
        try c.encodeIfPresent(mac, forKey: .mac)
    }

    /// One line of `audit tail`.
    public var text: String {
        var parts = [at, "#\(seq)", op, outcome]
        if let a = authID { parts.append(a + (version.map { " v\($0)" } ?? "")) }
        if let u = actorUser { parts.append("by \(u) (uid \(actorUID.map(String.init) ?? "?"))" + (host.map { " on \($0)" } ?? "")) }
        if let r = reason { parts.append("reason: \(r)") }
        if detail != .null { parts.append(AdminJSON.encode(detail, pretty: false)) }
        return parts.joined(separator: "  ")
    }
}
