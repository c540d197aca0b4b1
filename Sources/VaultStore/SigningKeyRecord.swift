import Foundation
import GRDB

/// A row of `signing_keys`: an Ed25519 key that signs sealed headers; the seed is sealed.
public struct SigningKeyRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case active, retired
    }

    public var id: Int64?
    public var kid: String
    public var publicKey: Data
    public var sealedSeed: Data
    public var status: Status
    public var createdAt: Int64
    public var retiredAt: Int64?

    public init(kid: String, publicKey: Data, sealedSeed: Data, createdAt: Int64) {
        self.kid = kid
        self.publicKey = publicKey
        self.sealedSeed = sealedSeed
        status = .active
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kid, status
        case publicKey = "public_key", sealedSeed = "sealed_seed", createdAt = "created_at", retiredAt = "retired_at"
    }
}

extension SigningKeyRecord: FetchableRecord, MutablePersistableRecord {
    /// The columns queries name, typed from the coding keys (no column names as strings).
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let status = Column(CodingKeys.status)
    }

    public static let databaseTableName = "signing_keys"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
