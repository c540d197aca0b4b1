import PostgresNIO
import VaultCore

/// The reads that walk many accounts, over PostgreSQL: each costs what its page holds, or one
/// scan in the server, never a query per account (as `SQLiteTransaction+Listings`).
extension PostgresTransaction {
    func accountIDs(after: AuthID?, limit: Int) throws -> [AuthID] {
        let page = Int64(max(0, min(limit, Int(Int32.max))))
        var out: [AuthID] = []
        if after == nil, let p = try partner() { out.append(try SQLiteTransaction.authID(p.authID)) }
        let from = after.flatMap { $0.kind == .customer ? $0.rawValue : nil } ?? ""
        let rest = max(0, page - Int64(out.count))
        for row in try rows("SELECT auth_id FROM accounts WHERE kind = 'customer' AND auth_id > \(from) ORDER BY auth_id LIMIT \(rest)") {
            out.append(try SQLiteTransaction.authID(try row.decode(String.self)))
        }
        return out
    }

    func accountInfos(ids: [AuthID]) throws -> [AccountInfo] {
        var out: [AccountInfo] = []
        out.reserveCapacity(ids.count)
        for start in stride(from: 0, to: ids.count, by: SQLiteTransaction.chunk) {
            let chunk = Array(ids[start..<min(start + SQLiteTransaction.chunk, ids.count)])
            let accounts = try rows("SELECT * FROM accounts WHERE auth_id = ANY(\(chunk.map(\.rawValue)))").map(AccountRecord.init(pg:))
            let rowIDs = try accounts.map { try RowID.stored($0.id) }
            let versions = try rows("SELECT * FROM token_versions WHERE account_id = ANY(\(rowIDs))").map(TokenVersionRecord.init(pg:))
            let sessions = try rows("SELECT * FROM jwt_sessions WHERE account_id = ANY(\(rowIDs))").map(JWTSessionRecord.init(pg:))
            let logins = Set(try rows("SELECT account_id FROM login_credentials WHERE account_id = ANY(\(rowIDs))").map { try $0.decode(Int64.self) })
            out += try AccountInfo.assemble(ids: chunk, accounts: accounts, versions: versions, sessions: sessions, logins: logins)
        }
        return out
    }

    func accountCounts() throws -> [AccountState: Int] {
        var out: [AccountState: Int] = [:]
        for row in try rows("SELECT state, count(*) FROM accounts GROUP BY state") {
            let (state, n) = try row.decode((String, Int64).self)
            out[try AccountRecord.decode(state, "state")] = Int(n)
        }
        return out
    }

    /// A page of accounts at a time, so the whole vault is never held at once.
    func forEachRotationInput(_ body: (RotationInput) throws -> Void) throws {
        var after = ""
        while true {
            let page = try rows("""
                SELECT \(unescaped: Self.rotationColumns)
                FROM accounts a LEFT JOIN token_versions v ON v.account_id = a.id AND v.status = 'active'
                WHERE a.auth_id > \(after) ORDER BY a.auth_id LIMIT 5000
                """)
            for row in page { try body(try Self.rotationInput(row)) }
            guard page.count == 5000, let last = page.last else { return }
            after = try last.decode(String.self)
        }
    }

    /// The due date and standing as `RotationSchedule` computes them, as SQLite's `dueInputs`.
    func dueInputs(defaults: RotationPolicy, now: Int64, window: TimeSpan?, after: DueSelection.Cursor?, limit: Int) throws -> [RotationInput] {
        try rows("""
            SELECT * FROM (
                SELECT \(unescaped: Self.rotationColumns),
                       coalesce(v.activated_at, v.created_at) + coalesce(a.max_age_seconds, \(defaults.maxAge.seconds)) AS due_at,
                       coalesce(\(window?.seconds)::bigint, a.warn_seconds, \(defaults.warn.seconds)) AS horizon
                FROM accounts a JOIN token_versions v ON v.account_id = a.id AND v.status = 'active') d
            WHERE (due_at - \(now) <= 0 OR due_at - \(now) <= horizon)
              AND (\(after?.dueAt)::bigint IS NULL OR due_at > \(after?.dueAt)::bigint
                   OR (due_at = \(after?.dueAt)::bigint AND auth_id > \(after?.authID ?? "")))
            ORDER BY due_at, auth_id LIMIT \(Int64(max(0, limit)))
            """).map(Self.rotationInput)
    }

    private static let rotationColumns = """
        a.auth_id, a.state, a.max_age_seconds AS max_age, a.warn_seconds AS warn,
        coalesce(v.activated_at, v.created_at) AS activated_at, a.rejected_at IS NOT NULL AS rejected
        """

    private static func rotationInput(_ row: PostgresRow) throws -> RotationInput {
        try SQLiteTransaction.rotationInput(PostgresRowReader(row, table: "accounts"))
    }
}
