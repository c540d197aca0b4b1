import Dispatch
import Synchronization
import VaultStore

/// Reads that walk much of the vault (pages of the listings, the metrics tally) run here: on a
/// connection of their own and a dispatch queue of their own, never on the vault's actor, so no
/// request waits behind them. Not on the cooperative pool either: a read blocks its thread, and
/// the pool has only as many threads as CPUs. The connection is opened on first use.
final class LongReads: Sendable {
    private let origin: any VaultStorage
    private let connection = Mutex<(any VaultStorage)?>(nil)
    private let queue = DispatchQueue(label: "vobiz-vault.long-reads")

    /// `origin`: the vault's own store, which names the database the reader opens.
    init(origin: any VaultStorage) { self.origin = origin }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws(ServiceError) -> T {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, ServiceError>, Never>) in
            queue.async {
                do { done.resume(returning: .success(try self.reader().read(body))) } catch {
                    done.resume(returning: .failure(VaultService.map(error)))
                }
            }
        }
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
