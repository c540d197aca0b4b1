import GRDB
import VaultCore

/// A row of `accounts`: one partner or customer credential and its rotation policy.
public struct AccountRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var authID: String
    public var kind: CredentialKind
    public var label: String
    public var parentAuthID: String?
    public var state: AccountState
    public var stateChangedAt: Int64?
    public var stateReason: String?
    public var maxAgeSeconds: Int64?
    public var warnSeconds: Int64?
    public var createdAt: Int64
    /// When Vobiz last answered 401 to this credential, and to what; nil once it succeeds again.
    public var rejectedAt: Int64?
    public var rejectedBy: String?

    public init(authID: AuthID, label: String, parent: AuthID?, createdAt: Int64) {
        self.authID = authID.rawValue
        kind = authID.kind
        self.label = label
        parentAuthID = parent?.rawValue
        state = .active
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, label, state
        case authID = "auth_id", parentAuthID = "parent_auth_id", stateChangedAt = "state_changed_at"
        case stateReason = "state_reason", maxAgeSeconds = "max_age_seconds", warnSeconds = "warn_seconds"
        case createdAt = "created_at", rejectedAt = "rejected_at", rejectedBy = "rejected_by"
    }
}

extension AccountRecord: FetchableRecord, MutablePersistableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let authID = Column(CodingKeys.authID)
        public static let kind = Column(CodingKeys.kind)
    }

    public static let databaseTableName = "accounts"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension AccountRecord {
    /// The row id of an account read from the store (only an account not yet inserted has none).
    public var storedID: Int64 {
        get throws { try RowID.stored(id) }
    }
}
