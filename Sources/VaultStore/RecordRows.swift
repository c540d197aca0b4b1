import Foundation
import GRDB
import PostgresNIO
import VaultCore

/// The records decoded column by column, once for both backends (`ColumnReading`): GRDB's
/// Codable decoding costs several times SQLite's own work at a page of a thousand rows, and a
/// PostgreSQL row is read the same way.
extension AccountRecord {
    public init(row: Row) throws { try self.init(columns: RowReader(row: row, table: Self.databaseTableName)) }
    init(pg row: PostgresRow) throws { try self.init(columns: PostgresRowReader(row, table: Self.databaseTableName)) }

    init(columns r: some ColumnReading) throws {
        typealias K = CodingKeys
        id = try r.int(K.id)
        authID = try r.text(required: K.authID)
        kind = try r.choice(K.kind)
        label = try r.text(required: K.label)
        parentAuthID = try r.text(K.parentAuthID)
        state = try r.choice(K.state)
        stateChangedAt = try r.int(K.stateChangedAt)
        stateReason = try r.text(K.stateReason)
        maxAgeSeconds = try r.int(K.maxAgeSeconds)
        warnSeconds = try r.int(K.warnSeconds)
        createdAt = try r.int(required: K.createdAt)
        rejectedAt = try r.int(K.rejectedAt)
        rejectedBy = try r.text(K.rejectedBy)
    }

    static func decode<E: RawRepresentable<String>>(_ text: String, _ column: String) throws -> E {
        guard let v = E(rawValue: text) else { throw StoreError.constraint("accounts.\(column) holds \"\(Echo.short(text))\"") }
        return v
    }
}

extension TokenVersionRecord {
    public init(row: Row) throws { try self.init(columns: RowReader(row: row, table: Self.databaseTableName)) }
    init(pg row: PostgresRow) throws { try self.init(columns: PostgresRowReader(row, table: Self.databaseTableName)) }

    init(columns r: some ColumnReading) throws {
        typealias K = CodingKeys
        id = try r.int(K.id)
        accountID = try r.int(required: K.accountID)
        version = try r.int(required: K.version)
        status = try r.choice(K.status)
        source = try r.choice(K.source)
        ciphertext = try r.blob(K.ciphertext)
        fingerprint = try r.text(required: K.fingerprint)
        createdAt = try r.int(required: K.createdAt)
        activatedAt = try r.int(K.activatedAt)
        retiredAt = try r.int(K.retiredAt)
        destroyAfter = try r.int(K.destroyAfter)
        destroyedAt = try r.int(K.destroyedAt)
        actor = try r.text(K.actor)
        actorUID = try r.int(K.actorUID)
        reason = try r.text(K.reason)
    }
}

extension AuditEventRecord {
    init(row: Row) throws { try self.init(columns: RowReader(row: row, table: Self.databaseTableName)) }
    init(pg row: PostgresRow) throws { try self.init(columns: PostgresRowReader(row, table: Self.databaseTableName)) }

    init(columns r: some ColumnReading) throws {
        typealias K = CodingKeys
        seq = try r.int(required: K.seq)
        atMs = try r.int(required: K.atMs)
        actorUID = try r.int(K.actorUID)
        actorUser = try r.text(K.actorUser)
        actorPID = try r.int(K.actorPID)
        actorExe = try r.text(K.actorExe)
        op = try r.text(required: K.op)
        authID = try r.text(K.authID)
        version = try r.int(K.version)
        outcome = try r.text(required: K.outcome)
        reason = try r.text(K.reason)
        detail = try r.text(K.detail)
        prevMAC = try r.blob(required: K.prevMAC)
        mac = try r.blob(required: K.mac)
        host = try r.text(K.host)
    }
}

extension LoginCredentialRecord {
    init(pg row: PostgresRow) throws {
        typealias K = CodingKeys
        let r = PostgresRowReader(row, table: Self.databaseTableName)
        self.init(accountID: try r.int(required: K.accountID), ciphertext: try r.blob(required: K.ciphertext), at: try r.int(required: K.createdAt),
                  actor: try r.text(K.actor))
        id = try r.int(K.id)
        updatedAt = try r.int(required: K.updatedAt)
    }
}

extension JWTSessionRecord {
    init(pg row: PostgresRow) throws {
        typealias K = CodingKeys
        let r = PostgresRowReader(row, table: Self.databaseTableName)
        self.init(accountID: try r.int(required: K.accountID))
        id = try r.int(K.id)
        state = try r.choice(K.state)
        ciphertext = try r.blob(K.ciphertext)
        issuedAt = try r.int(K.issuedAt)
        expiresAt = try r.int(K.expiresAt)
        refreshAfter = try r.int(K.refreshAfter)
        lastUsedAt = try r.int(K.lastUsedAt)
        lastRefreshAt = try r.int(K.lastRefreshAt)
        lastError = try r.text(K.lastError)
    }
}

extension SigningKeyRecord {
    init(pg row: PostgresRow) throws {
        typealias K = CodingKeys
        let r = PostgresRowReader(row, table: Self.databaseTableName)
        self.init(kid: try r.text(required: K.kid), publicKey: try r.blob(required: K.publicKey), sealedSeed: try r.blob(required: K.sealedSeed),
                  createdAt: try r.int(required: K.createdAt))
        id = try r.int(K.id)
        status = try r.choice(K.status)
        retiredAt = try r.int(K.retiredAt)
    }
}
