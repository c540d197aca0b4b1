import Foundation
import PostgresNIO
import VaultCore

/// The vault's storage API (`StoreTransaction`) over one PostgreSQL transaction of
/// `PostgresStore`. What it changes that other hosts cache is noted as it goes and announced at
/// commit (`announceChanges`), so no write path can forget to tell the fleet.
struct PostgresTransaction: StoreTransaction, AuditRows {
    let connection: PostgresConnection
    /// The host named in the change rows this transaction writes.
    let host: String
    let changed = ChangeSet()
    /// The audit head as read with the data key right after the fleet's write lock was taken
    /// (`readDataKeyAtLock`), until the next statement: a group commit's first step saves a
    /// round trip while the lock is held, and no write of the body can leave it stale.
    let headAtLock = HeadAtLock()
    var auditHost: String? { host }

    /// How long one statement may go unanswered (`PostgresSettings.answerSeconds`).
    let answerSeconds: Double

    init(connection: PostgresConnection, host: String, answerSeconds: Double = PostgresSettings.defaultAnswerSeconds) {
        self.connection = connection
        self.host = host
        self.answerSeconds = answerSeconds
    }

    func rows(_ q: PostgresQuery) throws -> [PostgresRow] {
        headAtLock.read = nil
        return try connection.query(q, logger: PostgresStore.logger).blockingResult(within: answerSeconds) {
            let closing: EventLoopFuture<Void> = connection.close()
            closing.whenComplete { _ in }
        }.rows
    }

    func run(_ q: PostgresQuery) throws { _ = try rows(q) }

    // MARK: accounts

    func account(_ id: AuthID) throws -> AccountRecord? {
        try rows("SELECT * FROM accounts WHERE auth_id = \(id.rawValue)").first.map(AccountRecord.init(pg:))
    }

    func partner() throws -> AccountRecord? {
        try rows("SELECT * FROM accounts WHERE kind = 'partner'").first.map(AccountRecord.init(pg:))
    }

    func accounts() throws -> [AccountRecord] {
        try rows("SELECT * FROM accounts ORDER BY kind DESC, auth_id").map(AccountRecord.init(pg:))
    }

    func insert(_ a: inout AccountRecord) throws {
        let values: PostgresQuery = try """
            \(a.authID), \(a.kind.rawValue), \(a.label), \(a.parentAuthID), \(a.state.rawValue), \(a.stateChangedAt),
            \(a.stateReason), \(a.maxAgeSeconds), \(a.warnSeconds), \(a.createdAt), \(a.rejectedAt), \(a.rejectedBy)
            """
        a.id = try insertReturningID(table: "accounts", given: a.id, columns: """
            auth_id, kind, label, parent_auth_id, state, state_changed_at, state_reason, max_age_seconds, warn_seconds,
            created_at, rejected_at, rejected_by
            """, values: values)
        changed.accounts.insert(try RowID.stored(a.id))
    }

    func update(_ a: AccountRecord) throws {
        let id = try RowID.stored(a.id)
        try run("""
            UPDATE accounts SET auth_id = \(a.authID), kind = \(a.kind.rawValue), label = \(a.label), parent_auth_id = \(a.parentAuthID),
                state = \(a.state.rawValue), state_changed_at = \(a.stateChangedAt), state_reason = \(a.stateReason),
                max_age_seconds = \(a.maxAgeSeconds), warn_seconds = \(a.warnSeconds), created_at = \(a.createdAt),
                rejected_at = \(a.rejectedAt), rejected_by = \(a.rejectedBy)
            WHERE id = \(id)
            """)
        changed.accounts.insert(id)
    }

    func adoptOrphans(by partner: AuthID) throws {
        try run("UPDATE accounts SET parent_auth_id = \(partner.rawValue) WHERE kind = 'customer' AND parent_auth_id IS NULL")
        changed.vault = true
    }

    /// Inserts a row with the id it was given (a copy between backends keeps ids) or a new one,
    /// and answers the id. An explicit id moves the identity past it, so later rows never collide.
    func insertReturningID(table: String, given: Int64?, columns: String, values: PostgresQuery) throws -> Int64 {
        var sql = values.sql
        var binds = values.binds
        let head: String
        if let given {
            head = "INSERT INTO \(table) (id, \(columns)) VALUES ($\(binds.count + 1), "
            binds.append(given)
        } else {
            head = "INSERT INTO \(table) (\(columns)) VALUES ("
        }
        sql = head + sql + ") RETURNING id"
        guard let id = try rows(PostgresQuery(unsafeSQL: sql, binds: binds)).first?.decode(Int64.self) else {
            throw StoreError.io("INSERT INTO \(table) returned no id")
        }
        if given != nil {
            try run(PostgresQuery(unsafeSQL: "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), GREATEST((SELECT max(id) FROM \(table)), 1))"))
        }
        return id
    }

    // MARK: token versions

    func versions(of accountID: Int64) throws -> [TokenVersionRecord] {
        try rows("SELECT * FROM token_versions WHERE account_id = \(accountID) ORDER BY version DESC").map(TokenVersionRecord.init(pg:))
    }

    func activeVersion(of accountID: Int64) throws -> TokenVersionRecord? {
        try rows("SELECT * FROM token_versions WHERE account_id = \(accountID) AND status = 'active'").first.map(TokenVersionRecord.init(pg:))
    }

    func latestVersionNumber(of accountID: Int64) throws -> Int64 {
        try rows("SELECT coalesce(max(version), 0) FROM token_versions WHERE account_id = \(accountID)").first?.decode(Int64.self) ?? 0
    }

    func insert(_ v: inout TokenVersionRecord) throws {
        let values: PostgresQuery = try """
            \(v.accountID), \(v.version), \(v.status.rawValue), \(v.ciphertext), \(v.fingerprint), \(v.source.rawValue), \(v.createdAt),
            \(v.activatedAt), \(v.retiredAt), \(v.destroyAfter), \(v.destroyedAt), \(v.actor), \(v.actorUID), \(v.reason)
            """
        v.id = try insertReturningID(table: "token_versions", given: v.id, columns: """
            account_id, version, status, ciphertext, fingerprint, source, created_at, activated_at, retired_at, destroy_after,
            destroyed_at, actor, actor_uid, reason
            """, values: values)
        changed.accounts.insert(v.accountID)
    }

    func update(_ v: TokenVersionRecord) throws {
        try run("""
            UPDATE token_versions SET account_id = \(v.accountID), version = \(v.version), status = \(v.status.rawValue),
                ciphertext = \(v.ciphertext), fingerprint = \(v.fingerprint), source = \(v.source.rawValue), created_at = \(v.createdAt),
                activated_at = \(v.activatedAt), retired_at = \(v.retiredAt), destroy_after = \(v.destroyAfter),
                destroyed_at = \(v.destroyedAt), actor = \(v.actor), actor_uid = \(v.actorUID), reason = \(v.reason)
            WHERE id = \(try RowID.stored(v.id))
            """)
        changed.accounts.insert(v.accountID)
    }

    func versionsPastGrace(now: Int64) throws -> [(AccountRecord, TokenVersionRecord)] {
        try withAccounts(rows("SELECT * FROM token_versions WHERE status = 'previous' AND destroy_after <= \(now) ORDER BY id"))
    }

    func sealedVersions() throws -> [(AccountRecord, TokenVersionRecord)] {
        try withAccounts(rows("SELECT * FROM token_versions WHERE ciphertext IS NOT NULL ORDER BY id"))
    }

    private func withAccounts(_ versionRows: [PostgresRow]) throws -> [(AccountRecord, TokenVersionRecord)] {
        let versions = try versionRows.map(TokenVersionRecord.init(pg:))
        let ids = Array(Set(versions.map(\.accountID)))
        var accounts: [Int64: AccountRecord] = [:]
        let found = try rows(try "SELECT * FROM accounts WHERE id = ANY(\(ids))")
        for a in try found.map(AccountRecord.init(pg:)) { accounts[try RowID.stored(a.id)] = a }
        return try versions.map { v in
            guard let a = accounts[v.accountID] else { throw StoreError.constraint("orphan token version") }
            return (a, v)
        }
    }
}

/// What a write transaction changed that other hosts cache: announced at its commit.
final class ChangeSet {
    var accounts: Set<Int64> = []
    /// Something every host must re-read: the keys, the signing keys, many accounts at once.
    var vault = false
}
