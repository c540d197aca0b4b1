import Foundation

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

    public init(format: Int, vaultID: String, kekKind: String, kekID: String, dekID: String, createdAt: String,
                auditHeadSeq: Int64, accounts: Int, sha256: String) {
        self.format = format
        self.vaultID = vaultID
        self.kekKind = kekKind
        self.kekID = kekID
        self.dekID = dekID
        self.createdAt = createdAt
        self.auditHeadSeq = auditHeadSeq
        self.accounts = accounts
        self.sha256 = sha256
    }

    public static func path(for backup: String) -> String { backup + ".manifest.json" }

    /// The response header of `POST /v1/admin/backup` that carries the manifest as compact JSON
    /// (its fields are ids, hex and times: never a line break).
    public static let header = "Vault-Backup-Manifest"

    /// The manifest file's content: pretty, keys sorted.
    public func fileContent() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
