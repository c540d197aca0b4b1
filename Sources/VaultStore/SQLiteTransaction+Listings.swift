import GRDB
import VaultCore

/// The reads that walk many accounts: pages of the listing, counts, and the one pass the
/// rotation tally and the due listing make. Each costs what its page holds, or one scan in
/// SQLite without loading rows, never a query per account of the vault.
extension SQLiteTransaction {
    func accountIDs(after: AuthID?, limit: Int) throws -> [AuthID] {
        let page = max(0, min(limit, Int(Int32.max)))
        var out: [AuthID] = []
        // The partner comes first; a cursor past it (or at a customer) reads customers only.
        if after == nil, let p = try partner() { out.append(try Self.authID(p.authID)) }
        let from = after.flatMap { $0.kind == .customer ? $0.rawValue : nil } ?? ""
        let rows = try String.fetchAll(try db.cachedStatement(sql: """
            SELECT auth_id FROM accounts WHERE kind = 'customer' AND auth_id > ? ORDER BY auth_id LIMIT ?
            """), arguments: [from, max(0, page - out.count)])
        for r in rows { out.append(try Self.authID(r)) }
        return out
    }

    func accountInfos(ids: [AuthID]) throws -> [AccountInfo] {
        var out: [AccountInfo] = []
        out.reserveCapacity(ids.count)
        for chunk in stride(from: 0, to: ids.count, by: Self.chunk).map({ Array(ids[$0..<min($0 + Self.chunk, ids.count)]) }) {
            out += try infos(chunk)
        }
        return out
    }

    /// Bound variables per `IN (…)`: far below SQLite's limit, large enough to keep queries few.
    static let chunk = 500

    private func infos(_ ids: [AuthID]) throws -> [AccountInfo] {
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let accounts = try AccountRecord.fetchAll(db, sql: "SELECT * FROM accounts WHERE auth_id IN (\(marks))",
                                                  arguments: StatementArguments(ids.map(\.rawValue)))
        let rowIDs = try accounts.map { try RowID.stored($0.id) }
        let idMarks = Array(repeating: "?", count: rowIDs.count).joined(separator: ",")
        let args = StatementArguments(rowIDs)
        let versions = try TokenVersionRecord.fetchAll(db, sql: "SELECT * FROM token_versions WHERE account_id IN (\(idMarks))", arguments: args)
        let sessions = try JWTSessionRecord.fetchAll(db, sql: "SELECT * FROM jwt_sessions WHERE account_id IN (\(idMarks))", arguments: args)
        let logins = Set(try Int64.fetchAll(db, sql: "SELECT account_id FROM login_credentials WHERE account_id IN (\(idMarks))",
                                            arguments: args))
        return try AccountInfo.assemble(ids: ids, accounts: accounts, versions: versions, sessions: sessions, logins: logins)
    }

    func accountCounts() throws -> [AccountState: Int] {
        var out: [AccountState: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM accounts GROUP BY state") {
            let r = RowReader(row: row, table: "accounts")
            out[try AccountRecord.decode(try r.value(Column.state) as String, "state")] = try r.value(Column.n) as Int
        }
        return out
    }

    func forEachRotationInput(_ body: (RotationInput) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT a.auth_id, a.state, a.max_age_seconds AS max_age, a.warn_seconds AS warn,
                   coalesce(v.activated_at, v.created_at) AS activated_at, a.rejected_at IS NOT NULL AS rejected
            FROM accounts a LEFT JOIN token_versions v ON v.account_id = a.id AND v.status = 'active'
            """)
        while let row = try rows.next() { try body(try Self.rotationInput(RowReader(row: row, table: "accounts"))) }
    }

    /// The due date and the standing as `RotationSchedule` computes them (`activated_at` or
    /// `created_at`, plus the account's max age or the default; due or overdue when the seconds
    /// left are at most the window, or the account's warn or the default), so SQLite keeps just
    /// the page, in C, rather than handing every account to Swift for each page.
    func dueInputs(defaults: RotationPolicy, now: Int64, window: TimeSpan?, after: DueSelection.Cursor?, limit: Int) throws -> [RotationInput] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM (
                SELECT a.auth_id, a.state, a.max_age_seconds AS max_age, a.warn_seconds AS warn,
                       coalesce(v.activated_at, v.created_at) AS activated_at, a.rejected_at IS NOT NULL AS rejected,
                       coalesce(v.activated_at, v.created_at) + coalesce(a.max_age_seconds, :maxAge) AS due_at,
                       coalesce(:window, a.warn_seconds, :warn) AS horizon
                FROM accounts a JOIN token_versions v ON v.account_id = a.id AND v.status = 'active')
            WHERE (due_at - :now <= 0 OR due_at - :now <= horizon)
              AND (:afterDue IS NULL OR due_at > :afterDue OR (due_at = :afterDue AND auth_id > :afterID))
            ORDER BY due_at, auth_id LIMIT :limit
            """), arguments: ["maxAge": defaults.maxAge.seconds, "warn": defaults.warn.seconds, "window": window?.seconds, "now": now,
                              "afterDue": after?.dueAt, "afterID": after?.authID ?? "", "limit": max(0, limit)])
        return try rows.map { try Self.rotationInput(RowReader(row: $0, table: "accounts")) }
    }

    /// One row of the rotation queries, from either backend.
    static func rotationInput(_ r: some ColumnReading) throws -> RotationInput {
        RotationInput(authID: try r.text(required: Column.authID), state: try r.choice(Column.state), maxAge: try r.int(Column.maxAge),
                      warn: try r.int(Column.warn), activatedAt: try r.int(Column.activatedAt), rejected: try r.flag(required: Column.rejected))
    }

    /// The result columns of the queries above, read through `RowReader`.
    enum Column: String, CodingKey {
        case state, n
        case authID = "auth_id", maxAge = "max_age", warn, activatedAt = "activated_at", rejected
    }

    static func authID(_ text: String) throws -> AuthID {
        do { return try AuthID(text) } catch { throw StoreError.constraint("accounts holds an invalid auth_id") }
    }
}
