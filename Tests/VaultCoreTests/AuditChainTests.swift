import Foundation
import Testing
@testable import VaultCore

@Suite struct AuditChainTests {
    let mac = ToyMAC()

    func chain(_ n: Int) -> ([AuditEvent], AuditChain.Head) {
        var rows: [AuditEvent] = []
        var prev = AuditChain.genesis
        for i in 1...n {
            let e = AuditEvent(seq: Int64(i), atMillis: Int64(i) * 1000, actor: ActorIdentity(uid: 0, user: "root"),
                               op: "rotate", authID: "MA_\(i)", version: 1, outcome: .ok, reason: nil, detail: nil)
            let sealed = AuditChain.seal(e, after: prev, using: mac)
            rows.append(sealed)
            prev = sealed.mac
        }
        return (rows, AuditChain.Head(seq: Int64(n), tag: AuditChain.headTag(seq: Int64(n), lastMAC: prev, using: mac)))
    }

    @Test func intactChainVerifies() {
        let (rows, head) = chain(5)
        #expect(AuditChain.verify(rows, head: head, using: mac) == .intact(rows: 5))
        #expect(AuditChain.verify([], head: nil, using: mac) == .intact(rows: 0))
    }

    @Test func editedRowIsNamed() {
        var (rows, head) = chain(5)
        rows[2].reason = "edited"
        #expect(AuditChain.verify(rows, head: head, using: mac) == .broken(seq: 3, problem: .edited))
    }

    @Test func deletedRowIsNamed() {
        var (rows, head) = chain(5)
        rows.remove(at: 1)
        #expect(AuditChain.verify(rows, head: head, using: mac) == .broken(seq: 2, problem: .deleted))
    }

    @Test func reorderedRowsAreNamed() {
        var (rows, head) = chain(5)
        // Swap the contents of rows 2 and 3 but keep the seq column in order, as an UPDATE would.
        var a = rows[1], b = rows[2]
        swap(&a.seq, &b.seq)
        rows[1] = b
        rows[2] = a
        let verdict = AuditChain.verify(rows, head: head, using: mac)
        guard case .broken(let seq, _) = verdict else { Issue.record("not detected"); return }
        #expect(seq == 2)
        // A row replayed out of order with its own seq is caught as a reorder.
        var (r2, h2) = chain(4)
        r2.insert(r2[0], at: 2)
        #expect(AuditChain.verify(r2, head: h2, using: mac) == .broken(seq: 1, problem: .reordered))
    }

    @Test func cutOffTailIsCaughtByTheHead() {
        var (rows, head) = chain(5)
        rows.removeLast(2)
        #expect(AuditChain.verify(rows, head: head, using: mac) == .broken(seq: 4, problem: .truncated))
        // Rewinding the head to the new last row needs the key.
        let forged = AuditChain.Head(seq: 3, tag: AuditChain.headTag(seq: 3, lastMAC: rows[2].mac, using: ToyMAC(key: 99)))
        #expect(AuditChain.verify(rows, head: forged, using: mac) == .broken(seq: 3, problem: .headTampered))
    }

    @Test func wrongKeyBreaksAtTheFirstRow() {
        let (rows, head) = chain(3)
        #expect(AuditChain.verify(rows, head: head, using: ToyMAC(key: 7)) == .broken(seq: 1, problem: .edited))
    }

    @Test func canonicalBytesSeparateFields() {
        let a = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "ab", authID: "c", version: nil, outcome: .ok, reason: nil, detail: nil)
        let b = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "a", authID: "bc", version: nil, outcome: .ok, reason: nil, detail: nil)
        let c = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "ab", authID: "c", version: nil, outcome: .ok, reason: "", detail: nil)
        #expect(a.canonicalBytes != b.canonicalBytes)
        #expect(a.canonicalBytes != c.canonicalBytes)
    }
}
