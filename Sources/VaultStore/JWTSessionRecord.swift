import Foundation
import GRDB
import VaultCore

/// A row of `jwt_sessions`: the partner's current access token (sealed) and its timing.
public struct JWTSessionRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case empty, valid, failed
    }

    public var id: Int64?
    public var accountID: Int64
    public var state: State
    public var ciphertext: Data?
    public var issuedAt: Int64?
    public var expiresAt: Int64?
    public var refreshAfter: Int64?
    public var lastUsedAt: Int64?
    public var lastRefreshAt: Int64?
    public var lastError: String?

    public init(accountID: Int64) {
        self.accountID = accountID
        state = .empty
    }

    enum CodingKeys: String, CodingKey {
        case id, state, ciphertext
        case accountID = "account_id", issuedAt = "issued_at", expiresAt = "expires_at", refreshAfter = "refresh_after"
        case lastUsedAt = "last_used_at", lastRefreshAt = "last_refresh_at", lastError = "last_error"
    }
}

extension JWTSessionRecord: FetchableRecord, MutablePersistableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let accountID = Column(CodingKeys.accountID)
    }

    public static let databaseTableName = "jwt_sessions"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
