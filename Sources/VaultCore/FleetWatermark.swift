import Foundation

/// What a host last saw of its fleet's shared store: how long the audit chain was and the MAC
/// of its last row, the data key then current, and the data keys it saw replaced.
///
/// A database writer holds no key, so it cannot forge a row, a key or a proof; what it can do
/// is put an older copy of the database back (a dump from before a revocation or a rotation) or
/// build on one. Such a store shows less than the host saw: a shorter chain, another row where
/// the host saw one, or a data key it saw replaced. The host then refuses the store rather
/// than serve an older vault (Docs/fleet.md).
public struct FleetWatermark: Codable, Equatable, Sendable {
    public var vaultID: String
    /// The audit chain's last row when the host looked, and its MAC (hex); nil compares nothing
    /// (a record from before the MAC was kept), the length still does.
    public var auditSeq: Int64
    public var auditMAC: String?
    /// The data key (its id) current then, and the ones the host saw replaced, oldest first.
    public var dataKey: String
    public var replacedKeys: [String]

    public enum CodingKeys: String, CodingKey {
        case vaultID = "vault_id", auditSeq = "audit_seq", auditMAC = "audit_mac", dataKey = "data_key", replacedKeys = "replaced_keys"
    }

    public init(vaultID: String, auditSeq: Int64, auditMAC: String?, dataKey: String, replacedKeys: [String] = []) {
        self.vaultID = vaultID
        self.auditSeq = auditSeq
        self.auditMAC = auditMAC
        self.dataKey = dataKey
        self.replacedKeys = replacedKeys
    }

    /// What a store shows now: its vault, its chain's last row, the MAC of the row at the
    /// watermark's sequence number (nil when there is none), and its current data key.
    public struct Observation: Equatable, Sendable {
        public var vaultID: String
        public var headSeq: Int64
        public var headMAC: Data
        public var macAtWatermark: Data?
        public var dataKey: String

        public init(vaultID: String, headSeq: Int64, headMAC: Data, macAtWatermark: Data?, dataKey: String) {
            (self.vaultID, self.headSeq, self.headMAC, self.macAtWatermark, self.dataKey) = (vaultID, headSeq, headMAC, macAtWatermark, dataKey)
        }
    }

    /// Why the store is not the one this host saw, or nil when it goes on from it.
    public func rollback(in store: Observation) -> String? {
        guard store.vaultID == vaultID else {
            return "the database holds vault \(store.vaultID), not vault \(vaultID) this host served"
        }
        if replacedKeys.contains(store.dataKey) {
            return "the database's data key is one this host saw replaced (by `rekey --data-key`)"
        }
        guard store.headSeq >= auditSeq else {
            return "the database's audit chain ends at row \(store.headSeq), before row \(auditSeq) this host saw"
        }
        if store.dataKey == dataKey, let auditMAC {
            guard let seen = store.macAtWatermark, Hex.encode(seen) == auditMAC else {
                return "row \(auditSeq) of the database's audit chain is not the row this host saw there"
            }
        }
        return nil
    }

    /// The watermark after a look at `store` that found it consistent: the replaced key, if the
    /// data key changed, is remembered for good.
    public func advanced(to store: Observation) -> FleetWatermark {
        var next = FleetWatermark(vaultID: vaultID, auditSeq: store.headSeq, auditMAC: Hex.encode(store.headMAC), dataKey: store.dataKey,
                                  replacedKeys: replacedKeys)
        if store.dataKey != dataKey, !next.replacedKeys.contains(dataKey) { next.replacedKeys.append(dataKey) }
        return next
    }

    /// The first watermark of a host: what it sees now.
    public static func first(_ store: Observation) -> FleetWatermark {
        FleetWatermark(vaultID: store.vaultID, auditSeq: store.headSeq, auditMAC: Hex.encode(store.headMAC), dataKey: store.dataKey)
    }
}
