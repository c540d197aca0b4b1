import Foundation

/// The keyed MAC chain over the audit log: `mac[n] = MAC(canonical(row n, mac[n-1]))`, with
/// an authenticated head (last seq and MAC) kept beside the log so that cutting rows off the
/// end is caught too. The MAC itself comes from VaultCrypto through `AuditMAC`.
public enum AuditChain {
    /// The MAC primitive and a constant-time compare, injected so the rules stay pure.
    public protocol AuditMAC {
        func mac(_ message: [UInt8]) -> Data
        func equal(_ a: Data, _ b: Data) -> Bool
    }

    /// The `prev_mac` of the first row.
    public static let genesis = Data(repeating: 0, count: 32)

    /// The head record: which row is last, authenticated so it cannot be rewound without the key.
    public struct Head: Hashable, Sendable {
        public var seq: Int64
        public var tag: Data
        public init(seq: Int64, tag: Data) {
            self.seq = seq
            self.tag = tag
        }
    }

    /// What `audit verify` found.
    public enum Verdict: Equatable, Sendable {
        case intact(rows: Int)
        case broken(seq: Int64, problem: Problem)
    }

    public enum Problem: String, Sendable {
        case edited, deleted, reordered, truncated, headTampered = "head_tampered"

        public var explanation: String {
            switch self {
            case .edited: "its contents do not match its MAC: the row was edited"
            case .deleted: "it is missing: the row was deleted"
            case .reordered: "it does not follow the row before it: rows were reordered or replaced"
            case .truncated: "the log ends before it: rows were cut off the end"
            case .headTampered: "the log's head record does not match: the head or the last row was altered"
            }
        }
    }

    /// Fills in `prevMAC` and `mac` of `event` so it follows a row whose MAC is `previous`.
    public static func seal(_ event: AuditEvent, after previous: Data, using m: some AuditMAC) -> AuditEvent {
        var e = event
        e.prevMAC = previous
        e.mac = m.mac(e.canonicalBytes)
        return e
    }

    public static func headTag(seq: Int64, lastMAC: Data, using m: some AuditMAC) -> Data {
        m.mac(Array("vobiz-vault-audit-head-v1|\(seq)|\(Hex.encode(lastMAC))".utf8))
    }

    /// Checks `rows` (ascending by seq) and the head; names the first row that breaks the chain.
    public static func verify(_ rows: [AuditEvent], head: Head?, using m: some AuditMAC) -> Verdict {
        var v = Verifier(using: m)
        for row in rows {
            if let broken = v.check(row) { return broken }
        }
        return v.finish(head: head)
    }

    /// The same check a row at a time, for a log read with a cursor rather than loaded whole.
    public struct Verifier<M: AuditMAC> {
        let m: M
        var expectedSeq: Int64 = 1
        var expectedPrev = AuditChain.genesis
        var rows = 0

        public init(using m: M) { self.m = m }

        /// The verdict when `row` breaks the chain; nil while it holds.
        public mutating func check(_ row: AuditEvent) -> Verdict? {
            if row.seq > expectedSeq { return .broken(seq: expectedSeq, problem: .deleted) }
            if row.seq < expectedSeq { return .broken(seq: row.seq, problem: .reordered) }
            guard m.equal(m.mac(row.canonicalBytes), row.mac) else { return .broken(seq: row.seq, problem: .edited) }
            guard m.equal(row.prevMAC, expectedPrev) else { return .broken(seq: row.seq, problem: .reordered) }
            expectedPrev = row.mac
            expectedSeq = row.seq + 1
            rows += 1
            return nil
        }

        /// After the last row: the head must name it.
        public func finish(head: Head?) -> Verdict {
            let lastSeq = expectedSeq - 1
            guard let head else {
                return rows == 0 ? .intact(rows: 0) : .broken(seq: lastSeq, problem: .headTampered)
            }
            if head.seq > lastSeq { return .broken(seq: lastSeq + 1, problem: .truncated) }
            if head.seq < lastSeq { return .broken(seq: head.seq + 1, problem: .headTampered) }
            guard m.equal(AuditChain.headTag(seq: head.seq, lastMAC: expectedPrev, using: m), head.tag) else {
                return .broken(seq: lastSeq, problem: .headTampered)
            }
            return .intact(rows: rows)
        }
    }
}
