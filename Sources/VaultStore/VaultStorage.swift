/// Where the vault's rows live: a backend opens transactions of the storage API
/// (`StoreTransaction`) and keeps them durable. `SQLiteStore` is the one for a single host.
///
/// Transactions are synchronous closures: the vault's writes are few and short (the request
/// path reads credentials from memory and the audit log commits in groups off the request
/// path), and a closure that cannot suspend cannot interleave with other work of the vault's
/// actor halfway through a transaction.
public protocol VaultStorage: AnyObject, Sendable {
    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
    /// Runs `body` in one write transaction: all of it commits, or none of it.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
    /// Applies pending migrations. Called only after the master key has been checked.
    func migrate() throws(StoreError)
    /// Whether the schema of this binary is fully applied.
    func isCurrent() throws(StoreError) -> Bool
    /// Makes what destroyed ciphertext left behind (old pages, log frames) go away now.
    func checkpoint() throws(StoreError)
    /// A consistent copy of every row in a new file at `path`, made while others write.
    func backup(to path: String) throws(StoreError)
    /// A connection of its own to the same vault, for reads that walk much of it (listings,
    /// the metrics tally) beside the vault's own work; it sees every committed change.
    func openReader() throws(StoreError) -> any VaultStorage
    /// Closes the backend's connections (later calls fail).
    func close()
}

/// The on-disk format written into `vault_meta.format`: a binary refuses a newer one.
public enum StoreFormat {
    public static let current = 1
}
