import Foundation
import PostgresNIO
import VaultCore

/// JWT logins and sessions, signing keys and the audit log over PostgreSQL.
extension PostgresTransaction {
    // MARK: JWT logins and sessions

    func loginCredentials(of accountID: Int64) throws -> LoginCredentialRecord? {
        try rows("SELECT * FROM login_credentials WHERE account_id = \(accountID)").first.map(LoginCredentialRecord.init(pg:))
    }

    func allLoginCredentials() throws -> [LoginCredentialRecord] {
        try rows("SELECT * FROM login_credentials ORDER BY id").map(LoginCredentialRecord.init(pg:))
    }

    func save(_ r: inout LoginCredentialRecord) throws {
        let values: PostgresQuery = try "\(r.accountID), \(r.ciphertext), \(r.createdAt), \(r.updatedAt), \(r.actor)"
        r.id = try upsert(table: "login_credentials", id: r.id, columns: "account_id, ciphertext, created_at, updated_at, actor", values: values)
        changed.accounts.insert(r.accountID)
    }

    func deleteLoginCredentials(of accountID: Int64) throws -> Bool {
        changed.accounts.insert(accountID)
        return try !rows("DELETE FROM login_credentials WHERE account_id = \(accountID) RETURNING id").isEmpty
    }

    func session(of accountID: Int64) throws -> JWTSessionRecord? {
        try rows("SELECT * FROM jwt_sessions WHERE account_id = \(accountID)").first.map(JWTSessionRecord.init(pg:))
    }

    func sessions() throws -> [JWTSessionRecord] {
        try rows("SELECT * FROM jwt_sessions ORDER BY id").map(JWTSessionRecord.init(pg:))
    }

    func save(_ r: inout JWTSessionRecord) throws {
        let values: PostgresQuery = try """
            \(r.accountID), \(r.state.rawValue), \(r.ciphertext), \(r.issuedAt), \(r.expiresAt), \(r.refreshAfter), \(r.lastUsedAt),
            \(r.lastRefreshAt), \(r.lastError)
            """
        r.id = try upsert(table: "jwt_sessions", id: r.id, columns: """
            account_id, state, ciphertext, issued_at, expires_at, refresh_after, last_used_at, last_refresh_at, last_error
            """, values: values)
        changed.accounts.insert(r.accountID)
    }

    func deleteSession(of accountID: Int64) throws -> Bool {
        changed.accounts.insert(accountID)
        return try !rows("DELETE FROM jwt_sessions WHERE account_id = \(accountID) RETURNING id").isEmpty
    }

    /// GRDB's `save` for the per-account tables: an update of the row with `id`, or an insert.
    private func upsert(table: String, id: Int64?, columns: String, values: PostgresQuery) throws -> Int64 {
        if let id {
            let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let sets = names.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
            var binds = values.binds
            binds.append(id)
            let updated = try rows(PostgresQuery(unsafeSQL: "UPDATE \(table) SET \(sets) WHERE id = $\(binds.count) RETURNING id", binds: binds))
            if !updated.isEmpty { return id }
        }
        return try insertReturningID(table: table, given: id, columns: columns, values: values)
    }

    // MARK: signing keys

    func activeSigningKey() throws -> SigningKeyRecord? {
        try rows("SELECT * FROM signing_keys WHERE status = 'active'").first.map(SigningKeyRecord.init(pg:))
    }

    func signingKeys() throws -> [SigningKeyRecord] {
        try rows("SELECT * FROM signing_keys ORDER BY id").map(SigningKeyRecord.init(pg:))
    }

    func insert(_ k: inout SigningKeyRecord) throws {
        let values: PostgresQuery = try "\(k.kid), \(k.publicKey), \(k.sealedSeed), \(k.status.rawValue), \(k.createdAt), \(k.retiredAt)"
        k.id = try insertReturningID(table: "signing_keys", given: k.id, columns: "kid, public_key, sealed_seed, status, created_at, retired_at",
                                     values: values)
        changed.vault = true
    }

    func update(_ k: SigningKeyRecord) throws {
        try run("""
            UPDATE signing_keys SET kid = \(k.kid), public_key = \(k.publicKey), sealed_seed = \(k.sealedSeed), status = \(k.status.rawValue),
                created_at = \(k.createdAt), retired_at = \(k.retiredAt)
            WHERE id = \(try RowID.stored(k.id))
            """)
        changed.vault = true
    }

    // MARK: audit

    /// The write transaction holds the fleet's write lock, so the head read here stays the head
    /// until it commits.
    func auditHead() throws -> (seq: Int64, mac: Data) {
        guard let (seq, mac) = try headAtLock.read ?? readMeta()?.head else { throw StoreError.missingMeta }
        guard seq > 0 else { return (0, AuditChain.genesis) }
        guard let mac else { throw StoreError.constraint("audit head points at missing row \(seq); run `vobiz-vault audit verify`") }
        return (seq, mac)
    }

    func appendAudit<M: AuditChain.AuditMAC>(_ events: [AuditEvent], using mac: M, afterEach: (() -> Void)?) throws {
        try appendChained(events, using: mac, afterEach: afterEach)
    }

    func remacAudit<M: AuditChain.AuditMAC>(using mac: M) throws { try remacChained(using: mac) }

    /// The data key the vault is under (nil before it has one, or without a `vault_meta` row),
    /// read in the statement right after the write lock: its snapshot then holds every write
    /// committed before this one got the lock, a rekey's included. The audit head comes with
    /// it, for the group commit that follows.
    func readDataKeyAtLock() throws -> String? {
        let meta = try readMeta()
        headAtLock.read = meta?.head
        return meta?.dekID
    }

    /// The data key and the audit head: its row number and the MAC of that row (nil if the row
    /// is missing); nil without a `vault_meta` row.
    private func readMeta() throws -> (dekID: String?, head: (seq: Int64, mac: Data?))? {
        guard let row = try rows("""
            SELECT m.dek_id, m.audit_head_seq, e.mac FROM vault_meta m LEFT JOIN audit_events e ON e.seq = m.audit_head_seq WHERE m.id = 1
            """).first else { return nil }
        let (dek, seq, mac) = try row.decode((String?, Int64, Data?).self)
        return (dek, (seq, mac))
    }

    func insertAuditRow(_ e: AuditEvent) throws {
        try run("""
            INSERT INTO audit_events (seq, at_ms, actor_uid, actor_user, actor_pid, actor_exe, op, auth_id, version, outcome,
                                      reason, detail, prev_mac, mac, host)
            VALUES (\(e.seq), \(e.atMillis), \(e.actor.map { Int64($0.uid) }), \(e.actor?.user), \(e.actor?.pid.map { Int64($0) }),
                    \(e.actor?.exe), \(e.op), \(e.authID), \(e.version), \(e.outcome.rawValue), \(e.reason), \(e.detail), \(e.prevMAC), \(e.mac), \(e.host))
            """)
    }

    func insertAuditRows(_ sealed: [AuditEvent]) throws {
        guard !sealed.isEmpty else { return }
        try run(Self.appending(sealed))
    }

    /// The last rows of an append and the head's move, in one statement: one round trip less
    /// while the fleet's write lock is held.
    func insertAuditRows(_ sealed: [AuditEvent], movingHeadTo head: AuditChain.Head) throws {
        guard !sealed.isEmpty else { return try setAuditHead(head) }
        let insert = Self.appending(sealed)
        var binds = insert.binds
        binds.append(head.seq)
        try binds.append(head.tag)
        let (seq, tag) = (binds.count - 1, binds.count)
        // The insert runs to its end whether or not the UPDATE reads it (a WITH's rule).
        try run(PostgresQuery(unsafeSQL: "WITH appended AS (\(insert.sql)) UPDATE vault_meta SET audit_head_seq = $\(seq), audit_head_tag = $\(tag) WHERE id = 1",
                              binds: binds))
    }

    /// Rows per statement: 200 measured best of 100 to 5,000 on a host that shares its CPUs
    /// with the server (Docs/benchmarks.md).
    static var auditChunk: Int { 200 }

    /// Every row of a group commit in one statement: each column one binary array, taken apart
    /// by `unnest` in the rows' order. The server neither parses text nor casts it, which
    /// matters on a host where it shares the CPUs with the daemon. The `unnest`s are in the
    /// select list, where they advance together row by row; in `FROM` each array would first be
    /// copied into a table of its own.
    static func appending(_ sealed: [AuditEvent]) -> PostgresQuery {
        let seqs = PostgresColumn(sealed.map(\.seq)), at = PostgresColumn(sealed.map(\.atMillis))
        let uids = PostgresColumn(sealed.map { $0.actor.map { Int64($0.uid) } }), users = PostgresColumn(sealed.map { $0.actor?.user })
        let pids = PostgresColumn(sealed.map { $0.actor?.pid.map { Int64($0) } }), exes = PostgresColumn(sealed.map { $0.actor?.exe })
        let ops = PostgresColumn(sealed.map(\.op)), ids = PostgresColumn(sealed.map(\.authID))
        let versions = PostgresColumn(sealed.map(\.version)), outcomes = PostgresColumn(sealed.map(\.outcome.rawValue))
        let reasons = PostgresColumn(sealed.map(\.reason)), details = PostgresColumn(sealed.map(\.detail))
        let prevs = PostgresColumn(sealed.map { ByteBuffer(bytes: $0.prevMAC) }), macs = PostgresColumn(sealed.map { ByteBuffer(bytes: $0.mac) })
        let hosts = PostgresColumn(sealed.map(\.host))
        return """
            INSERT INTO audit_events (seq, at_ms, actor_uid, actor_user, actor_pid, actor_exe, op, auth_id, version, outcome,
                                      reason, detail, prev_mac, mac, host)
            SELECT unnest(\(seqs)), unnest(\(at)), unnest(\(uids)), unnest(\(users)), unnest(\(pids)), unnest(\(exes)),
                   unnest(\(ops)), unnest(\(ids)), unnest(\(versions)), unnest(\(outcomes)), unnest(\(reasons)),
                   unnest(\(details)), unnest(\(prevs)), unnest(\(macs)), unnest(\(hosts))
            """
    }

    func setAuditHead(_ head: AuditChain.Head) throws {
        try run("UPDATE vault_meta SET audit_head_seq = \(head.seq), audit_head_tag = \(head.tag) WHERE id = 1")
    }

    func updateAuditMACs(_ e: AuditEvent) throws {
        try run("UPDATE audit_events SET prev_mac = \(e.prevMAC), mac = \(e.mac) WHERE seq = \(e.seq)")
    }

    func auditEvents() throws -> [AuditEvent] {
        try rows("SELECT * FROM audit_events ORDER BY seq").map { try AuditEventRecord(pg: $0).event }
    }

    /// A page at a time, so a long log is never held whole.
    func forEachAuditEvent(_ body: (AuditEvent) throws -> Bool) throws {
        var after: Int64 = 0
        while true {
            let page = try auditEvents(after: after, limit: 2000)
            for e in page { guard try body(e) else { return } }
            guard let last = page.last, page.count == 2000 else { return }
            after = last.seq
        }
    }

    func auditTail(limit: Int) throws -> [AuditEvent] {
        try rows("SELECT * FROM audit_events ORDER BY seq DESC LIMIT \(Int64(max(0, limit)))").map { try AuditEventRecord(pg: $0).event }.reversed()
    }

    func auditEvents(after seq: Int64, limit: Int) throws -> [AuditEvent] {
        try rows("SELECT * FROM audit_events WHERE seq > \(seq) ORDER BY seq LIMIT \(Int64(max(0, limit)))").map { try AuditEventRecord(pg: $0).event }
    }

    func auditHeadRecord() throws -> AuditChain.Head? {
        guard let row = try rows("SELECT audit_head_seq, audit_head_tag FROM vault_meta WHERE id = 1").first else { throw StoreError.missingMeta }
        let (seq, tag) = try row.decode((Int64, Data?).self)
        return tag.map { AuditChain.Head(seq: seq, tag: $0) }
    }

    // MARK: changes

    /// Writes one change row per account changed (one for the whole vault when that changed)
    /// and wakes every listening host, in this transaction: the notice is delivered at commit,
    /// and not at all if it rolls back.
    func announceChanges() throws {
        guard changed.vault || !changed.accounts.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let seq: Int64?
        if changed.vault {
            seq = try rows("INSERT INTO changes (at_ms, host, scope) VALUES (\(now), \(host), 'vault') RETURNING seq").first?.decode(Int64.self)
        } else {
            seq = try rows("""
                INSERT INTO changes (at_ms, host, account_id, scope)
                SELECT \(now), \(host), unnest(\(Array(changed.accounts).sorted())), 'account' RETURNING seq
                """).map { try $0.decode(Int64.self) }.max()
        }
        try run("SELECT pg_notify('vobiz_vault_changes', \(String(seq ?? 0)))")
    }
}
