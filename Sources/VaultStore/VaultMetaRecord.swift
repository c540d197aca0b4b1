import Foundation
import GRDB

/// The single row describing the vault: its id, how the master key is obtained, the wrapped
/// data key, and the authenticated head of the audit chain.
public struct VaultMetaRecord: Codable, Sendable, Equatable {
    public enum KEKKind: String, Codable, Sendable {
        /// 32 random bytes from a key file or a systemd credential.
        case key
        /// Argon2id over a passphrase, with the parameters below.
        case passphrase
    }

    public var id: Int64 = 1
    public var format: Int
    public var vaultID: String
    public var createdAt: Int64
    public var kekKind: KEKKind
    public var kdfSalt: Data?
    public var kdfOpsLimit: Int64?
    public var kdfMemLimit: Int64?
    public var wrappedDEK: Data
    public var kekID: String
    public var kekSetAt: Int64
    public var dekID: String
    public var dekCreatedAt: Int64
    public var auditHeadSeq: Int64
    public var auditHeadTag: Data?

    public init(format: Int, vaultID: String, createdAt: Int64, kekKind: KEKKind, kdfSalt: Data?, kdfOpsLimit: Int64?,
                kdfMemLimit: Int64?, wrappedDEK: Data, kekID: String, kekSetAt: Int64, dekID: String, dekCreatedAt: Int64) {
        self.format = format
        self.vaultID = vaultID
        self.createdAt = createdAt
        self.kekKind = kekKind
        self.kdfSalt = kdfSalt
        self.kdfOpsLimit = kdfOpsLimit
        self.kdfMemLimit = kdfMemLimit
        self.wrappedDEK = wrappedDEK
        self.kekID = kekID
        self.kekSetAt = kekSetAt
        self.dekID = dekID
        self.dekCreatedAt = dekCreatedAt
        self.auditHeadSeq = 0
        self.auditHeadTag = nil
    }

    enum CodingKeys: String, CodingKey {
        case id, format
        case vaultID = "vault_id", createdAt = "created_at", kekKind = "kek_kind", kdfSalt = "kdf_salt"
        case kdfOpsLimit = "kdf_opslimit", kdfMemLimit = "kdf_memlimit", wrappedDEK = "wrapped_dek"
        case kekID = "kek_id", kekSetAt = "kek_set_at", dekID = "dek_id", dekCreatedAt = "dek_created_at"
        case auditHeadSeq = "audit_head_seq", auditHeadTag = "audit_head_tag"
    }
}

extension VaultMetaRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vault_meta"
}
