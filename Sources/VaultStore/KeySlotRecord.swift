import Foundation

/// A row of `key_slots` (PostgreSQL only): one host of a fleet and the data key wrapped by that
/// host's own master key, as LUKS keeps one slot per passphrase. A joining host's slot is
/// `pending` with its X25519 public key; a member admits it by sealing the data key to that key
/// (`sealedDEK`), and the host then wraps it with its master key (`wrappedDEK`).
public struct KeySlotRecord: Sendable, Equatable {
    public enum State: String, Sendable { case pending, active }

    public var host: String
    public var state: State
    public var publicKey: Data
    /// The X25519 secret key, sealed under this host's master key: only this host can open it.
    public var sealedSecret: Data
    /// The data key sealed to `publicKey` by the member that admitted the host, until it takes it.
    public var sealedDEK: Data?
    /// With a data key sealed by `rekey --data-key`: a MAC under the data key it replaces, so a
    /// member takes only a key that a holder of the old one sealed, never one a database writer made.
    public var dekProof: Data?
    /// A MAC under the data key over the slot's host and public key, written by the member that
    /// admitted it (or by `init`): `rekey --data-key` seals the new key only to slots that carry
    /// a valid one, never to a slot or a public key a database writer put there.
    public var memberMAC: Data?
    public var kekKind: VaultMetaRecord.KEKKind
    public var kdfSalt: Data?
    public var kdfOpsLimit: Int64?
    public var kdfMemLimit: Int64?
    public var wrappedDEK: Data?
    public var kekID: String
    public var kekSetAt: Int64
    /// Which data key `wrappedDEK` holds (`vault_meta.dek_id` when current).
    public var dekID: String?
    public var createdAt: Int64
    public var admittedAt: Int64?
    public var admittedBy: String?
    public var lastSeen: Int64?

    public init(host: String, publicKey: Data, sealedSecret: Data, kekKind: VaultMetaRecord.KEKKind, kdfSalt: Data?, kdfOpsLimit: Int64?,
                kdfMemLimit: Int64?, kekID: String, kekSetAt: Int64, createdAt: Int64) {
        self.host = host
        state = .pending
        self.publicKey = publicKey
        self.sealedSecret = sealedSecret
        self.kekKind = kekKind
        self.kdfSalt = kdfSalt
        self.kdfOpsLimit = kdfOpsLimit
        self.kdfMemLimit = kdfMemLimit
        self.kekID = kekID
        self.kekSetAt = kekSetAt
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case host, state
        case publicKey = "public_key", sealedSecret = "sealed_secret", sealedDEK = "sealed_dek", dekProof = "dek_proof", memberMAC = "member_mac", kekKind = "kek_kind"
        case kdfSalt = "kdf_salt", kdfOpsLimit = "kdf_opslimit", kdfMemLimit = "kdf_memlimit", wrappedDEK = "wrapped_dek"
        case kekID = "kek_id", kekSetAt = "kek_set_at", dekID = "dek_id", createdAt = "created_at", admittedAt = "admitted_at"
        case admittedBy = "admitted_by", lastSeen = "last_seen"
    }
}
