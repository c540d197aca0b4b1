import Foundation
import VaultCore

/// What `backup` writes beside the copy (`FILE.manifest.json`), so that an operator — and
/// `restore` — can tell which vault and which master key a backup belongs to, and whether the
/// file is whole.
public struct BackupManifest: Codable, Sendable, Equatable {
    public var format: Int
    public var vaultID: String
    public var kekKind: String
    public var kekID: String
    public var dekID: String
    public var createdAt: String
    public var auditHeadSeq: Int64
    public var accounts: Int
    public var sha256: String

    enum CodingKeys: String, CodingKey {
        case format, accounts, sha256
        case vaultID = "vault_id", kekKind = "kek_kind", kekID = "kek_id", dekID = "dek_id", createdAt = "created_at"
        case auditHeadSeq = "audit_head_seq"
    }

    public static func path(for backup: String) -> String { backup + ".manifest.json" }
}
