import PostgresNIO
import VaultCore

/// What copying a vault to or from another store reads and writes (`store migrate`), over
/// PostgreSQL. Rows keep their ids (`insertReturningID` moves each identity past them).
extension PostgresTransaction {
    func accountRows(after rowID: Int64, limit: Int) throws -> [AccountRecord] {
        try rows("SELECT * FROM accounts WHERE id > \(rowID) ORDER BY id LIMIT \(Int64(max(0, limit)))").map(AccountRecord.init(pg:))
    }

    func versionRows(after rowID: Int64, limit: Int) throws -> [TokenVersionRecord] {
        try rows("SELECT * FROM token_versions WHERE id > \(rowID) ORDER BY id LIMIT \(Int64(max(0, limit)))").map(TokenVersionRecord.init(pg:))
    }

    func rowCounts() throws -> [VaultTable: Int] {
        var out: [VaultTable: Int] = [:]
        for table in VaultTable.allCases {
            let n = try rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.rawValue)")).first?.decode(Int64.self) ?? 0
            out[table] = Int(n)
        }
        return out
    }

    /// Marks the whole vault changed: a host following this store re-reads everything.
    func copyAudit(_ rows: [AuditEvent], head: AuditChain.Head?) throws {
        try copyChained(rows, head: head)
        changed.vault = true
    }
}
