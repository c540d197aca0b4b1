import Foundation
import GRDB
import GRDBSQLite
import VaultCore

/// Binds an audit row straight onto SQLite's prepared statement. The daemon writes one row per
/// request, so the generic argument machinery is skipped on this path (and only this one).
enum AuditRowBinder {
    /// SQLite copies the bound bytes (SQLITE_TRANSIENT), so Swift's buffers may go right after.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    static func insert(_ e: AuditEvent, into statement: Statement, db: Database) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        sqlite3_clear_bindings(s)
        sqlite3_bind_int64(s, 1, e.seq)
        sqlite3_bind_int64(s, 2, e.atMillis)
        bind(s, 3, e.actor.map { Int64($0.uid) })
        bind(s, 4, e.actor?.user)
        bind(s, 5, e.actor?.pid.map { Int64($0) })
        bind(s, 6, e.actor?.exe)
        bind(s, 7, e.op)
        bind(s, 8, e.authID)
        bind(s, 9, e.version)
        bind(s, 10, e.outcome.rawValue)
        bind(s, 11, e.reason)
        bind(s, 12, e.detail)
        bind(s, 13, e.prevMAC)
        bind(s, 14, e.mac)
        bind(s, 15, e.host)
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(s)))
            sqlite3_reset(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
        }
        sqlite3_reset(s)
    }

    private static func bind(_ s: OpaquePointer, _ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(s, i, v) } else { sqlite3_bind_null(s, i) }
    }

    private static func bind(_ s: OpaquePointer, _ i: Int32, _ v: String?) {
        guard let v else { sqlite3_bind_null(s, i); return }
        var v2 = v
        v2.withUTF8 { p in _ = sqlite3_bind_text(s, i, UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(p.count), transient) }
    }

    private static func bind(_ s: OpaquePointer, _ i: Int32, _ v: Data) {
        v.withUnsafeBytes { p in _ = sqlite3_bind_blob(s, i, p.baseAddress, Int32(p.count), transient) }
    }
}
