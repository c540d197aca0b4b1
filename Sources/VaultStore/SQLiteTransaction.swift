import Foundation
import GRDB
import VaultCore

/// The vault's storage API (`StoreTransaction`) over one SQLite transaction of `SQLiteStore`.
/// Every SQL statement of the project lives in this module.
struct SQLiteTransaction: StoreTransaction, AuditRows {
    let db: Database
    var auditHost: String? { nil }

    // MARK: metadata

    func meta() throws -> VaultMetaRecord {
        guard let m = try VaultMetaRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vault_meta WHERE id = 1")) else {
            throw StoreError.missingMeta
        }
        return m
    }

    func insertMeta(_ m: VaultMetaRecord) throws { try m.insert(db) }
    func updateMeta(_ m: VaultMetaRecord) throws { try m.update(db) }

    // MARK: accounts

    func account(_ id: AuthID) throws -> AccountRecord? {
        try AccountRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM accounts WHERE auth_id = ?"), arguments: [id.rawValue])
    }

    func partner() throws -> AccountRecord? {
        try AccountRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM accounts WHERE kind = 'partner'"))
    }

    func accounts() throws -> [AccountRecord] {
        try AccountRecord.order(AccountRecord.Columns.kind.desc, AccountRecord.Columns.authID).fetchAll(db)
    }

    func insert(_ a: inout AccountRecord) throws { try insertAccount(&a) }
    func update(_ a: AccountRecord) throws { try a.update(db) }

    /// Links every customer without a parent to `partner`.
    func adoptOrphans(by partner: AuthID) throws {
        try db.execute(sql: "UPDATE accounts SET parent_auth_id = ? WHERE kind = 'customer' AND parent_auth_id IS NULL",
                       arguments: [partner.rawValue])
    }

    // MARK: token versions

    /// Newest first.
    func versions(of accountID: Int64) throws -> [TokenVersionRecord] {
        try TokenVersionRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM token_versions WHERE account_id = ? ORDER BY version DESC"),
                                        arguments: [accountID])
    }

    func activeVersion(of accountID: Int64) throws -> TokenVersionRecord? {
        try TokenVersionRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM token_versions WHERE account_id = ? AND status = 'active'"),
                                        arguments: [accountID])
    }

    func latestVersionNumber(of accountID: Int64) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM token_versions WHERE account_id = ?", arguments: [accountID]) ?? 0
    }

    func insert(_ v: inout TokenVersionRecord) throws { try insertVersion(&v) }
    func update(_ v: TokenVersionRecord) throws { try v.update(db) }

    /// Versions whose grace has ended and whose ciphertext is still there, with their account.
    func versionsPastGrace(now: Int64) throws -> [(AccountRecord, TokenVersionRecord)] {
        let rows = try TokenVersionRecord
            .filter(TokenVersionRecord.Columns.status == TokenStatus.previous.rawValue && TokenVersionRecord.Columns.destroyAfter <= now)
            .order(TokenVersionRecord.Columns.id).fetchAll(db)
        return try rows.map { v in
            guard let a = try AccountRecord.fetchOne(db, key: v.accountID) else { throw StoreError.constraint("orphan token version") }
            return (a, v)
        }
    }

    /// Every version that still holds ciphertext, with its account (for `rekey --data-key`).
    func sealedVersions() throws -> [(AccountRecord, TokenVersionRecord)] {
        let accounts = Dictionary(uniqueKeysWithValues: try AccountRecord.fetchAll(db).map { (try RowID.stored($0.id), $0) })
        return try TokenVersionRecord.filter(TokenVersionRecord.Columns.ciphertext != nil).order(TokenVersionRecord.Columns.id).fetchAll(db).map { v in
            guard let a = accounts[v.accountID] else { throw StoreError.constraint("orphan token version") }
            return (a, v)
        }
    }

    // MARK: JWT logins and sessions

    func loginCredentials(of accountID: Int64) throws -> LoginCredentialRecord? { try one(LoginCredentialRecord.self, of: accountID) }
    func allLoginCredentials() throws -> [LoginCredentialRecord] { try LoginCredentialRecord.fetchAll(db) }
    func save(_ r: inout LoginCredentialRecord) throws { try r.save(db) }
    func deleteLoginCredentials(of accountID: Int64) throws -> Bool { try delete(LoginCredentialRecord.self, of: accountID) }

    func session(of accountID: Int64) throws -> JWTSessionRecord? { try one(JWTSessionRecord.self, of: accountID) }
    func sessions() throws -> [JWTSessionRecord] { try JWTSessionRecord.fetchAll(db) }
    func save(_ r: inout JWTSessionRecord) throws { try r.save(db) }
    func deleteSession(of accountID: Int64) throws -> Bool { try delete(JWTSessionRecord.self, of: accountID) }

    /// The one row of a per-account table (login credentials, JWT sessions): `account_id` is unique there.
    private func one<R: AccountOwnedRecord>(_: R.Type, of accountID: Int64) throws -> R? {
        try R.filter(R.accountIDColumn == accountID).fetchOne(db)
    }

    private func delete<R: AccountOwnedRecord>(_: R.Type, of accountID: Int64) throws -> Bool {
        try R.filter(R.accountIDColumn == accountID).deleteAll(db) > 0
    }
    // MARK: signing keys

    func activeSigningKey() throws -> SigningKeyRecord? {
        try SigningKeyRecord.filter(SigningKeyRecord.Columns.status == SigningKeyRecord.Status.active.rawValue).fetchOne(db)
    }

    func signingKeys() throws -> [SigningKeyRecord] {
        try SigningKeyRecord.order(SigningKeyRecord.Columns.id).fetchAll(db)
    }

    func insert(_ k: inout SigningKeyRecord) throws { try k.insert(db) }
    func update(_ k: SigningKeyRecord) throws { try k.update(db) }

    // MARK: audit

    func auditHead() throws -> (seq: Int64, mac: Data) {
        let m = try meta()
        guard m.auditHeadSeq > 0 else { return (0, AuditChain.genesis) }
        guard let last = try Data.fetchOne(db, sql: "SELECT mac FROM audit_events WHERE seq = ?", arguments: [m.auditHeadSeq]) else {
            throw StoreError.constraint("audit head points at missing row \(m.auditHeadSeq); run `vobiz-vault audit verify`")
        }
        return (m.auditHeadSeq, last)
    }

    func appendAudit<M: AuditChain.AuditMAC>(_ events: [AuditEvent], using mac: M, afterEach: (() -> Void)?) throws {
        try appendChained(events, using: mac, afterEach: afterEach)
    }

    func remacAudit<M: AuditChain.AuditMAC>(using mac: M) throws {
        try remacChained(using: mac)
    }

    func insertAuditRow(_ sealed: AuditEvent) throws {
        try AuditRowBinder.insert(sealed, into: try db.cachedStatement(sql: Self.insertAudit), db: db)
    }

    static let insertAudit = """
        INSERT INTO audit_events (seq, at_ms, actor_uid, actor_user, actor_pid, actor_exe, op, auth_id, version, outcome,
                                  reason, detail, prev_mac, mac, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    func setAuditHead(_ head: AuditChain.Head) throws {
        try db.execute(sql: "UPDATE vault_meta SET audit_head_seq = ?, audit_head_tag = ? WHERE id = 1", arguments: [head.seq, head.tag])
    }

    func updateAuditMACs(_ sealed: AuditEvent) throws {
        try db.execute(sql: "UPDATE audit_events SET prev_mac = ?, mac = ? WHERE seq = ?", arguments: [sealed.prevMAC, sealed.mac, sealed.seq])
    }

    /// All audit rows, ascending.
    func auditEvents() throws -> [AuditEvent] {
        try AuditEventRecord.order(AuditEventRecord.Columns.seq).fetchAll(db).map(\.event)
    }

    func forEachAuditEvent(_ body: (AuditEvent) throws -> Bool) throws {
        let rows = try AuditEventRecord.fetchCursor(db, sql: "SELECT * FROM audit_events ORDER BY seq")
        while let row = try rows.next(), try body(row.event) {}
    }

    /// The last `limit` audit rows, ascending.
    func auditTail(limit: Int) throws -> [AuditEvent] {
        try AuditEventRecord.order(AuditEventRecord.Columns.seq.desc).limit(limit).fetchAll(db).map(\.event).reversed()
    }

    /// Up to `limit` rows after `seq`, ascending.
    func auditEvents(after seq: Int64, limit: Int) throws -> [AuditEvent] {
        try AuditEventRecord.filter(AuditEventRecord.Columns.seq > seq).order(AuditEventRecord.Columns.seq).limit(limit).fetchAll(db).map(\.event)
    }

    func auditHeadRecord() throws -> AuditChain.Head? {
        let m = try meta()
        guard let tag = m.auditHeadTag else { return nil }
        return AuditChain.Head(seq: m.auditHeadSeq, tag: tag)
    }
}

/// A table with at most one row per account.
protocol AccountOwnedRecord: FetchableRecord, TableRecord {
    static var accountIDColumn: Column { get }
}

extension LoginCredentialRecord: AccountOwnedRecord {
    static var accountIDColumn: Column { Columns.accountID }
}

extension JWTSessionRecord: AccountOwnedRecord {
    static var accountIDColumn: Column { Columns.accountID }
}
