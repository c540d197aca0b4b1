import Foundation
import GRDB

/// A row of `login_credentials`: the email and password of a partner's JWT login, sealed
/// together (`email\npassword`).
public struct LoginCredentialRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var accountID: Int64
    public var ciphertext: Data
    public var createdAt: Int64
    public var updatedAt: Int64
    public var actor: String?

    public init(accountID: Int64, ciphertext: Data, at: Int64, actor: String?) {
        self.accountID = accountID
        self.ciphertext = ciphertext
        createdAt = at
        updatedAt = at
        self.actor = actor
    }

    enum CodingKeys: String, CodingKey {
        case id, ciphertext, actor
        case accountID = "account_id", createdAt = "created_at", updatedAt = "updated_at"
    }
}

extension LoginCredentialRecord: FetchableRecord, MutablePersistableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let accountID = Column(CodingKeys.accountID)
    }

    public static let databaseTableName = "login_credentials"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
