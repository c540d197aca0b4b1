import Synchronization
import VaultStore

/// Reads that walk much of the vault (pages of the listings, the metrics tally) run here: on a
/// connection of their own and a thread of the shared pool, never on the vault's actor, so no
/// request waits behind them. The connection is opened on first use.
final class LongReads: Sendable {
    private let origin: any VaultStorage
    private let connection = Mutex<(any VaultStorage)?>(nil)

    /// `origin`: the vault's own store, which names the database the reader opens.
    init(origin: any VaultStorage) { self.origin = origin }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws(ServiceError) -> T {
        let result = await Task.detached { () -> Result<T, ServiceError> in
            do { return .success(try self.reader().read(body)) } catch { return .failure(VaultService.map(error)) }
        }.value
        return try result.get()
    }

    private func reader() throws -> any VaultStorage {
        try connection.withLock { (c) throws -> any VaultStorage in
            if let c { return c }
            let opened = try origin.openReader()
            c = opened
            return opened
        }
    }

    func close() {
        connection.withLock { c in
            c?.close()
            c = nil
        }
    }
}
