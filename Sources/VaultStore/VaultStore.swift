import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// The vault's database: one SQLite file in WAL mode, opened with `synchronous=FULL`,
/// `secure_delete=ON` and foreign keys. Owns the schema; holds ciphertext only.
public final class VaultStore: Sendable {
    /// On-disk format written into `vault_meta.format`.
    public static let format = 1
    public let path: String
    let queue: DatabaseQueue

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    /// Creates a new database at `path` with the full schema. Refuses if the file exists.
    public static func create(at path: String) throws(StoreError) -> VaultStore {
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

    /// Opens an existing vault database. A read-only open never writes to the file, which is
    /// how a wrong master key is detected without changing a byte.
    public static func open(at path: String, readOnly: Bool) throws(StoreError) -> VaultStore {
        guard FileManager.default.fileExists(atPath: path) else { throw .notAVault(path: path) }
        return try open(path: path, readOnly: readOnly)
    }

    private static func open(path: String, readOnly: Bool) throws(StoreError) -> VaultStore {
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        // WAL is set once, at creation, and persists in the file. GRDB's own `.wal` setting is
        // not used: it writes a dummy table on every open and lowers synchronous to NORMAL.
        config.journalMode = .default
        config.busyMode = .timeout(10)
        config.label = "vault"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return VaultStore(path: path, queue: try DatabaseQueue(path: path, configuration: config))
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
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
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.read { db in try body(StoreTransaction(db: db)) }
        } catch let e as DatabaseError {
            throw Self.map(e)
        }
    }

    /// Runs `body` in one immediate write transaction: all of it commits, or none of it.
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.write { db in try body(StoreTransaction(db: db)) }
        } catch let e as DatabaseError {
            throw Self.map(e)
        }
    }

    /// Folds the WAL back into the database and truncates it, so destroyed ciphertext does not
    /// linger in old WAL frames.
    public func checkpoint() throws(StoreError) {
        do {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            throw Self.map(error)
        }
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
