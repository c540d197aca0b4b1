import Foundation
import VaultCore

/// The row-level writes of the audit log, which only the chain may make: a backend implements
/// them and answers `appendAudit`/`remacAudit` with `appendChained`/`remacChained`, so the chain
/// is written once for every backend and no caller outside this module can write a row or move
/// the head without it.
protocol AuditRows {
    /// The host each appended row names (a shared store's); nil on a single host.
    var auditHost: String? { get }
    func auditHead() throws -> (seq: Int64, mac: Data)
    /// Inserts a row already sealed into the chain.
    func insertAuditRow(_ sealed: AuditEvent) throws
    /// Inserts rows already sealed, in order: a backend across a network sends them at once.
    func insertAuditRows(_ sealed: [AuditEvent]) throws
    func setAuditHead(_ head: AuditChain.Head) throws
    /// Inserts the last rows of an append and moves the head past them: a backend across a
    /// network does both in one statement.
    func insertAuditRows(_ sealed: [AuditEvent], movingHeadTo head: AuditChain.Head) throws
    /// Rows sent to `insertAuditRows` at a time: no single statement of unbounded size.
    static var auditChunk: Int { get }
    /// Replaces one row's `prev_mac` and `mac` (re-MACing under a new key).
    func updateAuditMACs(_ sealed: AuditEvent) throws
    func auditEvents() throws -> [AuditEvent]
    func auditTail(limit: Int) throws -> [AuditEvent]
}

extension AuditRows {
    func insertAuditRows(_ sealed: [AuditEvent]) throws {
        for e in sealed { try insertAuditRow(e) }
    }

    func insertAuditRows(_ sealed: [AuditEvent], movingHeadTo head: AuditChain.Head) throws {
        try insertAuditRows(sealed)
        try setAuditHead(head)
    }

    static var auditChunk: Int { 1000 }

    func appendChained(_ events: [AuditEvent], using mac: some AuditChain.AuditMAC, afterEach: (() -> Void)?) throws {
        guard !events.isEmpty else { return }
        var (seq, prev) = try auditHead()
        var sealed: [AuditEvent] = []
        sealed.reserveCapacity(min(events.count, Self.auditChunk))
        for event in events {
            // A full chunk goes out before the next row, so the last chunk is never empty and
            // carries the head's move.
            if sealed.count == Self.auditChunk {
                try insertAuditRows(sealed)
                sealed.removeAll(keepingCapacity: true)
            }
            var e = event
            e.host = auditHost
            seq += 1
            e.seq = seq
            e = AuditChain.seal(e, after: prev, using: mac)
            sealed.append(e)
            prev = e.mac
            afterEach?()
        }
        try insertAuditRows(sealed, movingHeadTo: AuditChain.Head(seq: seq, tag: AuditChain.headTag(seq: seq, lastMAC: prev, using: mac)))
    }

    /// `copyAudit`: rows sealed elsewhere, each checked to continue the chain as stored.
    func copyChained(_ rows: [AuditEvent], head: AuditChain.Head?) throws {
        let last = try auditTail(limit: 1).first
        var seq = last?.seq ?? 0
        var prev = last?.mac ?? AuditChain.genesis
        for row in rows {
            guard row.seq == seq + 1, row.prevMAC == prev else {
                throw StoreError.constraint("audit row \(row.seq) does not continue the copied chain after row \(seq)")
            }
            seq = row.seq
            prev = row.mac
        }
        for start in stride(from: 0, to: rows.count, by: Self.auditChunk) {
            try insertAuditRows(Array(rows[start..<min(start + Self.auditChunk, rows.count)]))
        }
        guard let head else { return }
        guard head.seq == seq else { throw StoreError.constraint("the audit head names row \(head.seq) but the copied log ends at row \(seq)") }
        try setAuditHead(head)
    }

    func remacChained(using mac: some AuditChain.AuditMAC) throws {
        var prev = AuditChain.genesis
        var last: Int64 = 0
        for row in try auditEvents() {
            let e = AuditChain.seal(row, after: prev, using: mac)
            try updateAuditMACs(e)
            prev = e.mac
            last = e.seq
        }
        if last > 0 { try setAuditHead(AuditChain.Head(seq: last, tag: AuditChain.headTag(seq: last, lastMAC: prev, using: mac))) }
    }
}
