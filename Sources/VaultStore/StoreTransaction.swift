import Foundation
import GRDB
import VaultCore

/// The named reads and writes of the vault, valid inside one `VaultStore.read`/`write`.
/// Every SQL statement of the project lives in this module.
public struct StoreTransaction {
    let db: Database

    // MARK: metadata

    public func meta() throws -> VaultMetaRecord {
        guard let m = try VaultMetaRecord.fetchOne(db, key: 1) else { throw StoreError.missingMeta }
        return m
    }

    public func insertMeta(_ m: VaultMetaRecord) throws { try m.insert(db) }
    public func updateMeta(_ m: VaultMetaRecord) throws { try m.update(db) }

    // MARK: accounts

    public func account(_ id: AuthID) throws -> AccountRecord? {
        try AccountRecord.filter(AccountRecord.Columns.authID == id.rawValue).fetchOne(db)
    }

    public func partner() throws -> AccountRecord? {
        try AccountRecord.filter(AccountRecord.Columns.kind == CredentialKind.partner.rawValue).fetchOne(db)
    }

    public func accounts() throws -> [AccountRecord] {
        try AccountRecord.order(AccountRecord.Columns.kind.desc, AccountRecord.Columns.authID).fetchAll(db)
    }

    public func insert(_ a: inout AccountRecord) throws { try a.insert(db) }
    public func update(_ a: AccountRecord) throws { try a.update(db) }

    /// Links every customer without a parent to `partner`.
    public func adoptOrphans(by partner: AuthID) throws {
        try db.execute(sql: "UPDATE accounts SET parent_auth_id = ? WHERE kind = 'customer' AND parent_auth_id IS NULL",
                       arguments: [partner.rawValue])
    }

    // MARK: token versions

    /// Newest first.
    public func versions(of accountID: Int64) throws -> [TokenVersionRecord] {
        try TokenVersionRecord.filter(TokenVersionRecord.Columns.accountID == accountID).order(TokenVersionRecord.Columns.version.desc).fetchAll(db)
    }

    public func activeVersion(of accountID: Int64) throws -> TokenVersionRecord? {
        try TokenVersionRecord.filter(TokenVersionRecord.Columns.accountID == accountID && TokenVersionRecord.Columns.status == TokenStatus.active.rawValue)
            .fetchOne(db)
    }

    public func latestVersionNumber(of accountID: Int64) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM token_versions WHERE account_id = ?", arguments: [accountID]) ?? 0
    }

    public func insert(_ v: inout TokenVersionRecord) throws { try v.insert(db) }
    public func update(_ v: TokenVersionRecord) throws { try v.update(db) }

    /// Versions whose grace has ended and whose ciphertext is still there, with their account.
    public func versionsPastGrace(now: Int64) throws -> [(AccountRecord, TokenVersionRecord)] {
        let rows = try TokenVersionRecord
            .filter(TokenVersionRecord.Columns.status == TokenStatus.previous.rawValue && TokenVersionRecord.Columns.destroyAfter <= now)
            .order(TokenVersionRecord.Columns.id).fetchAll(db)
        return try rows.map { v in
            guard let a = try AccountRecord.fetchOne(db, key: v.accountID) else { throw StoreError.constraint("orphan token version") }
            return (a, v)
        }
    }

    /// Every version that still holds ciphertext, with its account (for `rekey --data-key`).
    public func sealedVersions() throws -> [(AccountRecord, TokenVersionRecord)] {
        let accounts = Dictionary(uniqueKeysWithValues: try AccountRecord.fetchAll(db).map { (try Self.rowID($0.id), $0) })
        return try TokenVersionRecord.filter(TokenVersionRecord.Columns.ciphertext != nil).order(TokenVersionRecord.Columns.id).fetchAll(db).map { v in
            guard let a = accounts[v.accountID] else { throw StoreError.constraint("orphan token version") }
            return (a, v)
        }
    }

    /// `AccountInfo` of every account (or the named one), versions newest first.
    public func accountInfos(only: AuthID? = nil) throws -> [AccountInfo] {
        var request = AccountRecord.order(AccountRecord.Columns.kind.desc, AccountRecord.Columns.authID)
        if let only { request = request.filter(AccountRecord.Columns.authID == only.rawValue) }
        let byAccount = Dictionary(grouping: try TokenVersionRecord.order(TokenVersionRecord.Columns.version.desc).fetchAll(db), by: \.accountID)
        let sessions = Dictionary(try sessions().map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        let logins = Set(try allLoginCredentials().map(\.accountID))
        return try request.fetchAll(db).map { a in
            let id = try Self.rowID(a.id)
            var info = try a.info(versions: byAccount[id] ?? [])
            let s = sessions[id]
            if s != nil || logins.contains(id) {
                info.jwt = JWTSessionInfo(state: s?.state.rawValue ?? "empty", expiresAt: s?.expiresAt, lastRefreshAt: s?.lastRefreshAt,
                                          lastError: s?.lastError, hasLoginCredentials: logins.contains(id))
            }
            return info
        }
    }

    /// The id of a row read from the database (always set: only rows not yet inserted lack one).
    static func rowID(_ id: Int64?) throws -> Int64 {
        guard let id else { throw StoreError.constraint("a stored row has no id") }
        return id
    }

    // MARK: JWT logins and sessions

    public func loginCredentials(of accountID: Int64) throws -> LoginCredentialRecord? {
        try LoginCredentialRecord.filter(LoginCredentialRecord.Columns.accountID == accountID).fetchOne(db)
    }

    public func allLoginCredentials() throws -> [LoginCredentialRecord] { try LoginCredentialRecord.fetchAll(db) }
    public func save(_ r: inout LoginCredentialRecord) throws { try r.save(db) }

    @discardableResult
    public func deleteLoginCredentials(of accountID: Int64) throws -> Bool {
        try LoginCredentialRecord.filter(LoginCredentialRecord.Columns.accountID == accountID).deleteAll(db) > 0
    }

    public func session(of accountID: Int64) throws -> JWTSessionRecord? {
        try JWTSessionRecord.filter(JWTSessionRecord.Columns.accountID == accountID).fetchOne(db)
    }

    public func sessions() throws -> [JWTSessionRecord] { try JWTSessionRecord.fetchAll(db) }
    public func save(_ r: inout JWTSessionRecord) throws { try r.save(db) }

    @discardableResult
    public func deleteSession(of accountID: Int64) throws -> Bool {
        try JWTSessionRecord.filter(JWTSessionRecord.Columns.accountID == accountID).deleteAll(db) > 0
    }

    // MARK: signing keys

    public func activeSigningKey() throws -> SigningKeyRecord? {
        try SigningKeyRecord.filter(SigningKeyRecord.Columns.status == SigningKeyRecord.Status.active.rawValue).fetchOne(db)
    }

    public func signingKeys() throws -> [SigningKeyRecord] {
        try SigningKeyRecord.order(SigningKeyRecord.Columns.id).fetchAll(db)
    }

    public func insert(_ k: inout SigningKeyRecord) throws { try k.insert(db) }
    public func update(_ k: SigningKeyRecord) throws { try k.update(db) }

    // MARK: audit

    public func auditHead() throws -> (seq: Int64, mac: Data) {
        let m = try meta()
        guard m.auditHeadSeq > 0 else { return (0, AuditChain.genesis) }
        guard let last = try Data.fetchOne(db, sql: "SELECT mac FROM audit_events WHERE seq = ?", arguments: [m.auditHeadSeq]) else {
            throw StoreError.constraint("audit head points at missing row \(m.auditHeadSeq); run `vobiz-vault audit verify`")
        }
        return (m.auditHeadSeq, last)
    }

    /// Appends `event` to the chain and moves the authenticated head, in this transaction.
    public func appendAudit(_ event: AuditEvent, using mac: some AuditChain.AuditMAC) throws {
        try appendAudit([event], using: mac)
    }

    /// Appends several events with one head read and one head write (the daemon's group commit).
    /// `afterEach` runs after each row is inserted (the daemon yields the CPU there).
    public func appendAudit(_ events: [AuditEvent], using mac: some AuditChain.AuditMAC, afterEach: (() -> Void)? = nil) throws {
        guard !events.isEmpty else { return }
        var (seq, prev) = try auditHead()
        let insert = try db.cachedStatement(sql: """
            INSERT INTO audit_events (seq, at_ms, actor_uid, actor_user, actor_pid, actor_exe, op, auth_id, version, outcome,
                                      reason, detail, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            var e = event
            seq += 1
            e.seq = seq
            e = AuditChain.seal(e, after: prev, using: mac)
            try AuditRowBinder.insert(e, into: insert, db: db)
            prev = e.mac
            afterEach?()
        }
        try setAuditHead(seq: seq, lastMAC: prev, using: mac)
    }

    func setAuditHead(seq: Int64, lastMAC: Data, using mac: some AuditChain.AuditMAC) throws {
        try db.execute(sql: "UPDATE vault_meta SET audit_head_seq = ?, audit_head_tag = ? WHERE id = 1",
                       arguments: [seq, AuditChain.headTag(seq: seq, lastMAC: lastMAC, using: mac)])
    }

    /// All audit rows, ascending.
    public func auditEvents() throws -> [AuditEvent] {
        try AuditEventRecord.order(AuditEventRecord.Columns.seq).fetchAll(db).map(\.event)
    }

    /// The last `limit` audit rows, ascending.
    public func auditTail(limit: Int) throws -> [AuditEvent] {
        try AuditEventRecord.order(AuditEventRecord.Columns.seq.desc).limit(limit).fetchAll(db).map(\.event).reversed()
    }

    /// Up to `limit` rows after `seq`, ascending.
    public func auditEvents(after seq: Int64, limit: Int) throws -> [AuditEvent] {
        try AuditEventRecord.filter(AuditEventRecord.Columns.seq > seq).order(AuditEventRecord.Columns.seq).limit(limit).fetchAll(db).map(\.event)
    }

    public func auditHeadRecord() throws -> AuditChain.Head? {
        let m = try meta()
        guard let tag = m.auditHeadTag else { return nil }
        return AuditChain.Head(seq: m.auditHeadSeq, tag: tag)
    }

    /// Recomputes every MAC and the head under a new key (after `rekey --data-key`, which the
    /// caller allows only on a chain that verified under the old key).
    public func remacAudit(using mac: some AuditChain.AuditMAC) throws {
        var prev = AuditChain.genesis
        var last: Int64 = 0
        for row in try auditEvents() {
            let e = AuditChain.seal(row, after: prev, using: mac)
            try db.execute(sql: "UPDATE audit_events SET prev_mac = ?, mac = ? WHERE seq = ?", arguments: [e.prevMAC, e.mac, e.seq])
            prev = e.mac
            last = e.seq
        }
        if last > 0 { try setAuditHead(seq: last, lastMAC: prev, using: mac) }
    }
}
