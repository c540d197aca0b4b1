import Foundation
import GRDB
import VaultCore

/// A row of `token_versions`: one sealed token of an account. `ciphertext` is nil once destroyed.
public struct TokenVersionRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var accountID: Int64
    public var version: Int64
    public var status: TokenStatus
    public var ciphertext: Data?
    public var fingerprint: String
    public var source: TokenSource
    public var createdAt: Int64
    public var activatedAt: Int64?
    public var retiredAt: Int64?
    public var destroyAfter: Int64?
    public var destroyedAt: Int64?
    public var actor: String?
    public var actorUID: Int64?
    public var reason: String?

    public init(accountID: Int64, version: Int64, status: TokenStatus, ciphertext: Data, fingerprint: String,
                source: TokenSource, createdAt: Int64, actor: ActorIdentity, reason: String?) {
        self.accountID = accountID
        self.version = version
        self.status = status
        self.ciphertext = ciphertext
        self.fingerprint = fingerprint
        self.source = source
        self.createdAt = createdAt
        activatedAt = status == .active ? createdAt : nil
        self.actor = actor.user
        actorUID = Int64(actor.uid)
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case id, version, status, ciphertext, fingerprint, source, actor, reason
        case accountID = "account_id", createdAt = "created_at", activatedAt = "activated_at"
        case retiredAt = "retired_at", destroyAfter = "destroy_after", destroyedAt = "destroyed_at"
        case actorUID = "actor_uid"
    }

    /// Metadata only: the fingerprint, never the ciphertext.
    public var info: TokenVersionInfo {
        TokenVersionInfo(version: version, status: status, fingerprint: fingerprint, source: source,
                         createdAt: createdAt, activatedAt: activatedAt, retiredAt: retiredAt,
                         destroyAfter: destroyAfter, destroyedAt: destroyedAt,
                         actor: actor.map { ActorIdentity(uid: UInt32(clamping: actorUID ?? -1), user: $0) },
                         reason: reason)
    }
}

extension TokenVersionRecord: FetchableRecord, MutablePersistableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let accountID = Column(CodingKeys.accountID)
        public static let version = Column(CodingKeys.version)
        public static let status = Column(CodingKeys.status)
        public static let ciphertext = Column(CodingKeys.ciphertext)
        public static let destroyAfter = Column(CodingKeys.destroyAfter)
    }

    public static let databaseTableName = "token_versions"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension TokenVersionRecord {
    /// The row id of a version read from the store (only a version not yet inserted has none).
    public var storedID: Int64 {
        get throws { try RowID.stored(id) }
    }
}
