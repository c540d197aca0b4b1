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

    /// A fleet's rows name their host under the MAC: the host cannot be changed, added or
    /// dropped without the row reading as edited, and rows without one keep their first form.
    @Test func theHostIsUnderTheMAC() {
        var (rows, head) = chain(3)
        let single = rows[1].canonicalBytes
        rows[1].host = "host-b"
        #expect(rows[1].canonicalBytes != single)
        #expect(AuditChain.verify(rows, head: head, using: mac) == .broken(seq: 2, problem: .edited))
        var fleet: [AuditEvent] = []
        var prev = AuditChain.genesis
        for (i, host) in ["host-a", "host-b", "host-a"].enumerated() {
            var e = rows[i]
            e.host = host
            e = AuditChain.seal(e, after: prev, using: mac)
            fleet.append(e)
            prev = e.mac
        }
        let fleetHead = AuditChain.Head(seq: 3, tag: AuditChain.headTag(seq: 3, lastMAC: prev, using: mac))
        #expect(AuditChain.verify(fleet, head: fleetHead, using: mac) == .intact(rows: 3))
        for change in [String?.some("host-c"), nil] {
            var tampered = fleet
            tampered[1].host = change
            #expect(AuditChain.verify(tampered, head: fleetHead, using: mac) == .broken(seq: 2, problem: .edited))
        }
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

    /// The encoding as first written (with `String` conversions): rows already in vaults were
    /// sealed over these bytes, so the faster encoder must produce exactly the same.
    static func reference(_ e: AuditEvent) -> [UInt8] {
        var out: [UInt8] = Array("vobiz-vault-audit-v1".utf8)
        func field(_ s: String?) {
            guard let s else { out.append(contentsOf: "-1:".utf8); return }
            out.append(contentsOf: String(s.utf8.count).utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: s.utf8)
        }
        field(String(e.seq))
        field(String(e.atMillis))
        field(e.actor.map { String($0.uid) })
        field(e.actor?.user)
        field(e.actor?.pid.map { String($0) })
        field(e.actor?.exe)
        field(e.op)
        field(e.authID)
        field(e.version.map { String($0) })
        field(e.outcome.rawValue)
        field(e.reason)
        field(e.detail)
        out.append(contentsOf: String(e.prevMAC.count).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: e.prevMAC)
        return out
    }

    @Test func canonicalBytesAreTheReferenceEncoding() {
        var rng = SystemRandomNumberGenerator()
        let numbers: [Int64] = [0, 1, 9, 10, 99, 100, 1_700_000_000_000, -1, -10, Int64.max, Int64.min]
        for i in 0..<2000 {
            let n = { numbers.randomElement(using: &rng)! }
            let text: () -> String? = { Bool.random(using: &rng) ? nil : String(repeating: "é\u{0}x\"", count: Int.random(in: 0...40, using: &rng)) }
            let actor = Bool.random(using: &rng) ? nil : ActorIdentity(uid: UInt32.random(in: 0...UInt32.max, using: &rng), user: text() ?? "",
                                                                  pid: Bool.random(using: &rng) ? nil : Int32.random(in: Int32.min...Int32.max, using: &rng),
                                                                  exe: text())
            let e = AuditEvent(seq: i < numbers.count ? numbers[i] : n(), atMillis: n(), actor: actor, op: text() ?? "op", authID: text(),
                               version: Bool.random(using: &rng) ? nil : n(), outcome: [.ok, .refused, .failed].randomElement(using: &rng)!,
                               reason: text(), detail: text(), prevMAC: Data((0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
            #expect(e.canonicalBytes == Self.reference(e), "\(e)")
        }
    }

    @Test func canonicalBytesSeparateFields() {
        let a = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "ab", authID: "c", version: nil, outcome: .ok, reason: nil, detail: nil)
        let b = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "a", authID: "bc", version: nil, outcome: .ok, reason: nil, detail: nil)
        let c = AuditEvent(seq: 1, atMillis: 1, actor: nil, op: "ab", authID: "c", version: nil, outcome: .ok, reason: "", detail: nil)
        #expect(a.canonicalBytes != b.canonicalBytes)
        #expect(a.canonicalBytes != c.canonicalBytes)
    }
}
