import GRDB
import VaultCore

/// What copying a vault to or from another store reads and writes (`store migrate`), over SQLite.
extension SQLiteTransaction {
    func accountRows(after rowID: Int64, limit: Int) throws -> [AccountRecord] {
        try AccountRecord.filter(AccountRecord.Columns.id > rowID).order(AccountRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
    }

    func versionRows(after rowID: Int64, limit: Int) throws -> [TokenVersionRecord] {
        try TokenVersionRecord.filter(TokenVersionRecord.Columns.id > rowID).order(TokenVersionRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
    }

    func rowCounts() throws -> [VaultTable: Int] {
        var out: [VaultTable: Int] = [:]
        for table in VaultTable.allCases {
            out[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)") ?? 0
        }
        return out
    }

    func copyAudit(_ rows: [AuditEvent], head: AuditChain.Head?) throws {
        try copyChained(rows, head: head)
    }
}
