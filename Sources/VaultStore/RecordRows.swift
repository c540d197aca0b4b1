import Foundation
import GRDB
import VaultCore

/// The rows read most (a credential on first use, every row of a listing page or of the audit
/// log) decoded column by column: GRDB's Codable decoding costs several times SQLite's own
/// work at a page of a thousand. A value the schema's constraints would never admit is
/// reported, not guessed at.
extension AccountRecord {
    public init(row: Row) throws {
        typealias K = CodingKeys
        let r = RowReader(row: row, table: Self.databaseTableName)
        authID = try r.value(K.authID)
        kind = try Self.decode(try r.value(K.kind) as String, "kind")
        label = try r.value(K.label)
        parentAuthID = try r.optional(K.parentAuthID)
        state = try Self.decode(try r.value(K.state) as String, "state")
        id = try r.optional(K.id)
        stateChangedAt = try r.optional(K.stateChangedAt)
        stateReason = try r.optional(K.stateReason)
        maxAgeSeconds = try r.optional(K.maxAgeSeconds)
        warnSeconds = try r.optional(K.warnSeconds)
        createdAt = try r.value(K.createdAt)
        rejectedAt = try r.optional(K.rejectedAt)
        rejectedBy = try r.optional(K.rejectedBy)
    }

    static func decode<E: RawRepresentable<String>>(_ text: String, _ column: String) throws -> E {
        guard let v = E(rawValue: text) else { throw StoreError.constraint("accounts.\(column) holds \"\(Echo.short(text))\"") }
        return v
    }
}

extension TokenVersionRecord {
    public init(row: Row) throws {
        typealias K = CodingKeys
        let r = RowReader(row: row, table: Self.databaseTableName)
        id = try r.optional(K.id)
        accountID = try r.value(K.accountID)
        version = try r.value(K.version)
        guard let status = TokenStatus(rawValue: try r.value(K.status) as String),
              let source = TokenSource(rawValue: try r.value(K.source) as String) else {
            throw StoreError.constraint("token_versions row \(id ?? 0) holds an unknown status or source")
        }
        self.status = status
        self.source = source
        ciphertext = try r.optional(K.ciphertext)
        fingerprint = try r.value(K.fingerprint)
        createdAt = try r.value(K.createdAt)
        activatedAt = try r.optional(K.activatedAt)
        retiredAt = try r.optional(K.retiredAt)
        destroyAfter = try r.optional(K.destroyAfter)
        destroyedAt = try r.optional(K.destroyedAt)
        actor = try r.optional(K.actor)
        actorUID = try r.optional(K.actorUID)
        reason = try r.optional(K.reason)
    }
}

extension AuditEventRecord {
    init(row: Row) throws {
        typealias K = CodingKeys
        let r = RowReader(row: row, table: Self.databaseTableName)
        seq = try r.value(K.seq)
        atMs = try r.value(K.atMs)
        actorUID = try r.optional(K.actorUID)
        actorUser = try r.optional(K.actorUser)
        actorPID = try r.optional(K.actorPID)
        actorExe = try r.optional(K.actorExe)
        op = try r.value(K.op)
        authID = try r.optional(K.authID)
        version = try r.optional(K.version)
        outcome = try r.value(K.outcome)
        reason = try r.optional(K.reason)
        detail = try r.optional(K.detail)
        prevMAC = try r.value(K.prevMAC)
        mac = try r.value(K.mac)
    }
}
