import Foundation
import Testing
import VaultCore

/// A host refuses a shared store that shows less than it saw (`FleetWatermark`): another vault,
/// a data key it saw replaced, a shorter chain, another row where it saw one; and goes on, and
/// moves on, from one that only grew.
@Suite struct FleetWatermarkTests {
    static let mac5 = Data(repeating: 5, count: 32), mac9 = Data(repeating: 9, count: 32)

    static func store(seq: Int64 = 9, head: Data = mac9, at: Data? = mac5, key: String = "k2", vault: String = "v") -> FleetWatermark.Observation {
        FleetWatermark.Observation(vaultID: vault, headSeq: seq, headMAC: head, macAtWatermark: at, dataKey: key)
    }

    let seen = FleetWatermark(vaultID: "v", auditSeq: 5, auditMAC: Hex.encode(mac5), dataKey: "k2", replacedKeys: ["k1"])

    @Test func aStoreThatOnlyGrewIsConsistent() {
        #expect(seen.rollback(in: Self.store()) == nil)
        #expect(seen.rollback(in: Self.store(seq: 5, head: Self.mac5)) == nil, "nothing new is not less")
        // A newer key (a rekey this host has not followed yet) changes every MAC: the length is what counts.
        #expect(seen.rollback(in: Self.store(at: Self.mac9, key: "k3")) == nil)
    }

    @Test func aStoreThatShowsLessIsRefusedWithTheReason() {
        #expect(seen.rollback(in: Self.store(vault: "w"))?.contains("not vault v") == true)
        #expect(seen.rollback(in: Self.store(key: "k1"))?.contains("replaced") == true)
        #expect(seen.rollback(in: Self.store(seq: 4, head: Self.mac5))?.contains("ends at row 4, before row 5") == true)
        #expect(seen.rollback(in: Self.store(at: Self.mac9))?.contains("row 5") == true, "another row where this host saw one")
        #expect(seen.rollback(in: Self.store(at: nil))?.contains("row 5") == true, "the row this host saw is gone")
    }

    @Test func movingOnRemembersEveryReplacedKey() throws {
        let next = seen.advanced(to: Self.store(seq: 12, head: Self.mac9, key: "k3"))
        #expect(next == FleetWatermark(vaultID: "v", auditSeq: 12, auditMAC: Hex.encode(Self.mac9), dataKey: "k3", replacedKeys: ["k1", "k2"]))
        #expect(next.rollback(in: Self.store(seq: 20, key: "k2"))?.contains("replaced") == true)
        let first = FleetWatermark.first(Self.store())
        #expect(first.auditSeq == 9 && first.replacedKeys.isEmpty && first.rollback(in: Self.store(at: Self.mac9)) == nil)
        // The record's field names are the file's.
        let json = String(decoding: try JSONEncoder().encode(first), as: UTF8.self)
        for key in ["vault_id", "audit_seq", "audit_mac", "data_key", "replaced_keys"] { #expect(json.contains("\"\(key)\"")) }
    }
}
