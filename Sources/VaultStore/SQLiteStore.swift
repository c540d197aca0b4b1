import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import GRDBSQLite

/// The vault's database: one SQLite file in WAL mode, opened with `synchronous=FULL`,
/// `secure_delete=ON` and foreign keys. Owns the schema; holds ciphertext only.
public final class SQLiteStore: VaultStorage {
    public let path: String
    let queue: DatabaseQueue

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    /// Creates a new database at `path` with the full schema. Refuses if the file exists.
    public static func create(at path: String) throws(StoreError) -> SQLiteStore {
        guard !FileManager.default.fileExists(atPath: path) else { throw .alreadyExists(path: path) }
        let store = try open(path: path, readOnly: false)
        // SQLite gives -wal and -shm the main file's mode, so this keeps all three private.
        guard chmod(path, 0o600) == 0 else { throw .io("cannot chmod \(path) to 0600") }
        do {
            try store.queue.writeWithoutTransaction { db in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw StoreError.io("SQLite refused WAL mode for \(path)")
                }
            }
        } catch { throw map(error) }
        try store.migrate()
        return store
    }

    /// Opens an existing vault database. A read-only open never writes to the database file,
    /// but SQLite may create, rewrite or (at the last close) delete `-wal` and `-shm` beside
    /// it; to read without touching any of the three, use `openUntouched(at:)`.
    public static func open(at path: String, readOnly: Bool) throws(StoreError) -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw .notAVault(path: path) }
        return try open(path: path, readOnly: readOnly)
    }

    /// Opens an existing vault database for reading without writing, creating or deleting any
    /// byte of `vault.db`, `vault.db-wal` or `vault.db-shm`: how the master key is checked, so
    /// that a wrong key leaves the files exactly as they were. Reads see every committed
    /// transaction, including those still in a WAL left by a process that was killed.
    /// Meant for a short read while no other process writes (the state lock sees to that).
    ///
    /// - No WAL, or an empty one: the database file holds everything, and SQLite reads it as
    ///   immutable (no locks, no `-wal` or `-shm` created).
    /// - A WAL with frames and its `-shm`: the `-shm` is mapped read-only, so SQLite neither
    ///   truncates it nor writes read marks; with no other connection attached it builds the
    ///   WAL index in private memory.
    /// - A WAL with frames but no usable `-shm`: SQLite's lock-free VFS in exclusive locking mode
    ///   keeps the WAL index in private memory and never creates a `-shm`.
    ///
    /// In every case the connection is read-only (a checkpoint at close cannot write) and the
    /// WAL is marked persistent (the close does not delete it).
    public static func openUntouched(at path: String) throws(StoreError) -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw .notAVault(path: path) }
        guard sqlite3_compileoption_used("USE_URI") == 1 else {
            throw .cannotOpen(path: path, reason: "the system SQLite library was built without URI filenames (SQLITE_USE_URI), "
                + "which vobiz-vault needs to check a master key without writing; install a libsqlite3 built with them")
        }
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        let shm = FileManager.default.fileExists(atPath: path + "-shm")
        let uri = "file:" + uriEscaped(path)
        if walSize == 0 { return try open(path: path, uri: uri + "?immutable=1", heapIndex: false) }
        if shm, let store = try? open(path: path, uri: uri + "?mode=ro&readonly_shm=1", heapIndex: false) {
            // A `-shm` SQLite cannot use read-only (an empty one, say) fails the first read.
            do {
                _ = try store.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
                return store
            } catch { store.close() }
        }
        return try open(path: path, uri: uri + "?mode=ro&vfs=unix-none", heapIndex: true)
    }

    /// A path as the path of a SQLite `file:` URI: everything but unreserved characters and
    /// `/` percent-encoded (so `?`, `#` and `%` in a state directory stay part of the path).
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private static func open(path: String, readOnly: Bool) throws(StoreError) -> SQLiteStore {
        var config = baseConfiguration()
        config.readonly = readOnly
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return SQLiteStore(path: path, queue: try DatabaseQueue(path: path, configuration: config))
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// The untouched open of `openUntouched(at:)`: `uri` names the file and how SQLite may use
    /// it; `heapIndex` asks for exclusive locking mode before the first read, which keeps the
    /// WAL index in private memory.
    private static func open(path: String, uri: String, heapIndex: Bool) throws(StoreError) -> SQLiteStore {
        var config = baseConfiguration()
        config.readonly = true
        config.prepareDatabase { db in
            var persist: Int32 = 1
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist) == SQLITE_OK else {
                throw StoreError.io("SQLite refused to keep the WAL of \(path) at close")
            }
            if heapIndex {
                guard try String.fetchOne(db, sql: "PRAGMA locking_mode = EXCLUSIVE") == "exclusive" else {
                    throw StoreError.io("SQLite refused exclusive locking mode for \(path)")
                }
            }
        }
        do {
            return SQLiteStore(path: path, queue: try DatabaseQueue(path: uri, configuration: config))
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    private static func baseConfiguration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        // WAL is set once, at creation, and persists in the file. GRDB's own `.wal` setting is
        // not used: it writes a dummy table on every open and lowers synchronous to NORMAL.
        config.journalMode = .default
        config.busyMode = .timeout(TimeInterval(busyMillis) / 1000)
        config.label = "vault"
        return config
    }

    /// Copies the database into a new file at `path` with SQLite's online backup (consistent
    /// while others write), then makes it durable. The copy is created 0600; ciphertext only.
    public func backup(to path: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: path) else { throw .alreadyExists(path: path) }
        let old = umask(0o077)
        defer { umask(old) }
        do {
            var config = Configuration()
            config.journalMode = .default
            let destination = try DatabaseQueue(path: path, configuration: config)
            try queue.backup(to: destination)
            try destination.writeWithoutTransaction { db in
                // A self-contained file: no WAL beside it.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            try destination.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .io("backup to \(path): \(Self.describe(error))")
        }
        guard chmod(path, 0o600) == 0 else { throw .io("cannot chmod \(path) to 0600") }
        let fd = Glibc.open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); Glibc.close(fd) }
    }

    /// The connection's `synchronous` setting (2 = FULL), for tests and `doctor`.
    public func synchronousMode() throws(StoreError) -> Int {
        do { return try queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 } } catch { throw Self.map(error) }
    }

    /// Applies pending migrations. Called only after the master key has been checked.
    public func migrate() throws(StoreError) {
        do { try Migrations.migrator.migrate(queue) } catch { throw Self.map(error) }
    }

    /// Whether the schema of this binary is fully applied.
    public func isCurrent() throws(StoreError) -> Bool {
        do { return try queue.read { try Migrations.migrator.hasCompletedMigrations($0) } } catch { throw Self.map(error) }
    }

    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.read { db in try body(SQLiteTransaction(db: db)) }
        } catch let e as DatabaseError {
            throw Self.map(e)
        }
    }

    /// Runs `body` in one immediate write transaction: all of it commits, or none of it.
    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.write { db in try body(SQLiteTransaction(db: db)) }
        } catch let e as DatabaseError {
            throw Self.map(e)
        }
    }

    /// Folds the WAL back into the database and truncates it, so destroyed ciphertext does not
    /// linger in old WAL frames.
    ///
    /// A truncating checkpoint waits for every reader of the log. The vault's own long reads
    /// (listing pages, audit verify) run on a second connection, and the caller is the daemon's
    /// event loop: rather than stall every client behind a reader, it waits 200 ms at most and
    /// throws `checkpointBusy` (the caller owes the checkpoint and tries again).
    public func checkpoint() throws(StoreError) {
        let busy: Bool
        do {
            busy = try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA busy_timeout = \(Self.checkpointWaitMillis)")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Self.busyMillis)") }
                guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)"),
                      let flag = Int64.fromDatabaseValue(row[0] as DatabaseValue) else { return true }
                return flag != 0
            }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY {
            throw .checkpointBusy
        } catch {
            throw Self.map(error)
        }
        if busy { throw .checkpointBusy }
    }

    static let checkpointWaitMillis = 200
    /// The wait for a lock everywhere else (`baseConfiguration`'s busy mode).
    static let busyMillis = 10_000

    public func openReader() throws(StoreError) -> any VaultStorage {
        try Self.open(at: path, readOnly: true)
    }

    /// Closes the connection (later calls fail).
    public func close() {
        try? queue.close()
    }

    static func map(_ error: any Error) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_CONSTRAINT {
            return .constraint(e.message ?? "constraint violated")
        }
        return .io(describe(error))
    }

    public static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return "\(e.resultCode): \(e.message ?? "")" }
        return "\(error)"
    }
}
