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
    /// The fleet host that wrote the row (a shared store's rows only; nil on a single host).
    public var host: String?

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
        // Written straight into one buffer, numbers digit by digit: the commit thread does this
        // for every row. The format is fixed; `AuditChainTests` holds it to a reference encoder.
        var out: [UInt8] = []
        out.reserveCapacity(256 + (detail?.utf8.count ?? 0) + (actor?.exe?.utf8.count ?? 0))
        // A row naming its host is of the second form, whose MAC covers the host too; rows of
        // a single host keep the first, so every chain written before still verifies.
        out.append(contentsOf: (host == nil ? "vobiz-vault-audit-v1" : "vobiz-vault-audit-v2").utf8)
        Self.field(seq, into: &out)
        Self.field(atMillis, into: &out)
        Self.field(actor.map { Int64($0.uid) }, into: &out)
        Self.field(actor?.user, into: &out)
        Self.field(actor?.pid.map { Int64($0) }, into: &out)
        Self.field(actor?.exe, into: &out)
        Self.field(op, into: &out)
        Self.field(authID, into: &out)
        Self.field(version, into: &out)
        Self.field(outcome.rawValue, into: &out)
        Self.field(reason, into: &out)
        Self.field(detail, into: &out)
        if let host { Self.field(host, into: &out) }
        Self.decimal(Int64(prevMAC.count), into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: prevMAC)
        return out
    }

    /// `<length>:<bytes>`, or `-1:` for an absent field.
    private static func field(_ s: String?, into out: inout [UInt8]) {
        guard let s else { out.append(contentsOf: "-1:".utf8); return }
        decimal(Int64(s.utf8.count), into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: s.utf8)
    }

    /// A number as the field of its decimal text.
    private static func field(_ n: Int64?, into out: inout [UInt8]) {
        guard let n else { out.append(contentsOf: "-1:".utf8); return }
        var length = n < 0 ? 2 : 1
        var m = n.magnitude
        while m >= 10 { m /= 10; length += 1 }
        decimal(Int64(length), into: &out)
        out.append(UInt8(ascii: ":"))
        decimal(n, into: &out)
    }

    /// The decimal text of `n` (with `-` when negative), as `String(n)` writes it.
    private static func decimal(_ n: Int64, into out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        var buf: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var i = 20
        withUnsafeMutableBytes(of: &buf) { b in
            repeat {
                i -= 1
                b[i] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            out.append(contentsOf: b[i..<20])
        }
    }
}
