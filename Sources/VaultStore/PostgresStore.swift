import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import PostgresNIO
import VaultCore

/// The vault's rows in PostgreSQL, shared by the hosts of a fleet (Docs/fleet.md). Holds what
/// SQLite holds, ciphertext only, under the same constraints, plus the fleet's own tables
/// (`PostgresMigrations`).
///
/// Every write transaction first takes one transaction-level advisory lock, so the fleet's
/// writes are serialized as SQLite serializes one host's: the audit chain's head and the change
/// sequence move in commit order, and a reader past sequence N has seen every change up to N.
public final class PostgresStore: VaultStorage {
    let pool: PostgresPool
    /// The data key this host holds (`vault_meta.dek_id`): a write finding another one current
    /// is refused, so no host ever writes under a data key the fleet has replaced.
    private let heldDataKey = NIOLockedValueBox<String?>(nil)
    /// Whether `close()` closes the pool (a reader shares its parent's).
    private let ownsPool: Bool

    static let logger: Logger = {
        var l = Logger(label: "vobiz-vault.postgres")
        l.logLevel = .critical
        return l
    }()

    /// Read committed whatever the server's default: a write must see, after the lock, what the
    /// writes before it committed. Under repeatable read its snapshot would be taken by the
    /// lock statement, before the lock was granted.
    static let beginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED"

    /// The advisory lock key of the fleet's writes ("vobizvlt").
    static let writeLock: Int64 = 0x766F_6269_7A76_6C74

    private init(pool: PostgresPool, ownsPool: Bool) {
        self.pool = pool
        self.ownsPool = ownsPool
    }

    /// Connects to the server in `settings`; the first transaction tells whether it answers.
    public static func connect(_ settings: PostgresSettings) -> PostgresStore {
        PostgresStore(pool: PostgresPool(settings: settings), ownsPool: true)
    }

    public var settings: PostgresSettings { pool.settings }

    /// The storage API over connection `c`, for this host and with its answer deadline.
    func transaction(on c: PostgresConnection) -> PostgresTransaction {
        PostgresTransaction(connection: c, host: settings.host, answerSeconds: settings.answerSeconds)
    }

    public func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writes: false, body)
    }

    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: Self.beginWrite, writes: true, body)
    }

    /// Records the data key this host holds; nil before it holds one (`init`, `fleet join`).
    public func holdDataKey(_ id: String?) { heldDataKey.withLockedValue { $0 = id } }

    /// A write that may find another data key current: taking the key a rekey sealed to this host.
    public func writeTakingDataKey<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: Self.beginWrite, writes: true, checkKey: false, body)
    }

    private func transaction<T>(begin: String, writes: Bool, checkKey: Bool = true, _ body: (PostgresTransaction) throws -> T) throws -> T {
        try pool.withConnection { c in
            let tx = transaction(on: c)
            do {
                try tx.run(PostgresQuery(unsafeSQL: begin))
                if writes {
                    try tx.run("SELECT pg_advisory_xact_lock(\(Self.writeLock))")
                    let current = try tx.readDataKeyAtLock()
                    if checkKey, let held = heldDataKey.withLockedValue({ $0 }), let current, current != held {
                        throw StoreError.staleKeySlot(host: pool.settings.host)
                    }
                }
                let result = try body(tx)
                if writes { try tx.announceChanges() }
                try commit(tx)
                return result
            } catch {
                if !c.isClosed { try? tx.run("ROLLBACK") }
                // The body's own errors pass through as they are, as SQLite's `write` lets them.
                if error is PSQLError || error is StoreError { throw Self.map(error) }
                throw error
            }
        }
    }

    /// COMMIT, where a lost connection leaves the outcome unknown: the server may have made the
    /// change durable before the answer was lost. An error the server sends is a definite no.
    private func commit(_ tx: PostgresTransaction) throws {
        do { try tx.run("COMMIT") } catch {
            if case .unavailable(let m) = Self.map(error), (error as? PSQLError)?.code != .server { throw StoreError.commitUnknown(m) }
            throw error
        }
    }

    public func migrate() throws(StoreError) {
        do { try pool.withConnection { try PostgresMigrations.migrate(transaction(on: $0)) } } catch { throw Self.map(error) }
    }

    public func isCurrent() throws(StoreError) -> Bool {
        do { return try pool.withConnection { try PostgresMigrations.isCurrent(transaction(on: $0)) } } catch { throw Self.map(error) }
    }

    /// Whether the database holds a vault (its metadata row): `init` and `store migrate` refuse
    /// a target that does, `serve` refuses one that does not.
    public func holdsVault() throws(StoreError) -> Bool {
        do {
            return try pool.withConnection { c in
                let tx = transaction(on: c)
                guard try PostgresMigrations.hasSchema(tx) else { return false }
                return try !tx.rows("SELECT 1 FROM vault_meta WHERE id = 1").isEmpty
            }
        } catch { throw Self.map(error) }
    }

    /// PostgreSQL removes what a destroyed version left (dead row versions) by autovacuum; there
    /// is no write-ahead log of the vault's own to fold back.
    public func checkpoint() throws(StoreError) {}

    public func backup(to path: String) throws(StoreError) {
        throw .io("a PostgreSQL vault is backed up by the server's own means (pg_dump, base backups), "
            + "or copied to a SQLite file with `vobiz-vault store migrate --to sqlite:PATH`")
    }

    public func openReader() throws(StoreError) -> any VaultStorage {
        PostgresStore(pool: pool, ownsPool: false)
    }

    public func close() {
        if ownsPool { pool.close() }
    }

    static func map(_ error: any Error) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? PSQLError {
            if e.code == .server, let state = e.serverInfo?[.sqlState] {
                let message = e.serverInfo?[.message] ?? "no message"
                // Class 23: integrity constraint violation. The detail field is left out: it
                // may quote the failing row.
                if state.hasPrefix("23") { return .constraint(message) }
                if state.hasPrefix("28") || state == "3D000" { return .io("PostgreSQL refused the connection: \(message)") }
                // Lost connections, a shut-down server, too many clients, a lock or statement that
                // timed out, a standby not yet promoted (read-only): transient, and said so (503
                // and Retry-After on the request path).
                if state.hasPrefix("08") || state.hasPrefix("57P") || ["53300", "55P03", "57014", "25P03", "25006"].contains(state) {
                    return .unavailable(message)
                }
                return .io("PostgreSQL \(state): \(message)")
            }
            if let tls = e.underlying.flatMap(tlsFailure) { return .io(tls) }
            return .unavailable(describe(e.code))
        }
        if let tls = tlsFailure(error) { return .io(tls) }
        if error is NIOConnectionError || error is ChannelError || error is IOError { return .unavailable("\(error)") }
        return .io("\(error)")
    }

    /// A certificate this host does not accept is a setting to fix, not a server to wait for;
    /// any other TLS failure (a server that went away mid-handshake) is the server unavailable.
    private static func tlsFailure(_ error: any Error) -> String? {
        guard error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError else { return nil }
        let text = "\(error)"
        guard text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("failedToValidateHostname") || error is NIOSSLExtraError else {
            return nil
        }
        return "TLS to the PostgreSQL server failed: its certificate was not accepted (signed by an authority not in "
            + "[store] ca_file, or not naming the host in [store] url): \(text)"
    }

    private static func describe(_ code: PSQLError.Code) -> String {
        switch code {
        case .connectionError: "cannot connect"
        case .serverClosedConnection, .uncleanShutdown: "the server closed the connection"
        case .clientClosedConnection: "the connection was closed"
        case .sslUnsupported: "the server does not offer TLS"
        case .authMechanismRequiresPassword: "the server asks for a password and none was given ([store] password_file)"
        case .saslError, .unsupportedAuthMechanism: "authentication failed"
        default: "\(code)"
        }
    }
}
