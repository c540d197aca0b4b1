import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Unlocks a vault that was opened sealed (a passphrase vault under the daemon). A wrong
    /// passphrase changes nothing; a growing delay after each failure slows guessing.
    public func unseal(_ input: MasterKeyInput, actor: ActorIdentity) async throws(ServiceError) {
        guard keys == nil else { return }
        if failedUnseals > 0 {
            try? await Task.sleep(for: .milliseconds(min(250 << min(failedUnseals, 5), 8_000)))
        }
        let meta: VaultMetaRecord
        do { meta = try store.read { try $0.meta() } } catch { throw Self.map(error) }
        let unwrapped: (dataKey: SecureBytes, kek: SecureBytes)
        do { unwrapped = try Self.unwrapDataKey(meta, unlock: { _ in input }) } catch {
            failedUnseals += 1
            throw error
        }
        do {
            let writable = try VaultStore.open(at: directory.databasePath, readOnly: false)
            try writable.migrate()
            store.close()
            store = writable
            keys = try VaultKeys(dataKey: unwrapped.dataKey)
            masterKey = unwrapped.kek
        } catch { throw Self.map(error) }
        failedUnseals = 0
        try prepareSigning(actor: actor)
        try write { tx in try audit(tx, op: "unseal", actor: actor) }
    }
}
