import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Unlocks a vault that was opened sealed (a passphrase vault under the daemon). A wrong
    /// passphrase changes nothing; a growing delay after each failure slows guessing.
    public func unseal(_ input: MasterKeyInput, actor: ActorIdentity) async throws(ServiceError) {
        guard keys == nil else { return }
        let delay = try keyring.beginUnseal()
        var outcome = Keyring.UnsealOutcome.failed
        defer { keyring.endUnseal(outcome) }
        if delay > .zero { try? await Task.sleep(for: delay) }
        let meta: VaultMetaRecord
        do { meta = try store.read { try $0.meta() } } catch { throw Self.map(error) }
        // Argon2id takes ~1 s and 256 MiB: run it off the actor, whose executor is the daemon's
        // event loop, so other connections are answered meanwhile.
        let unwrapped: (dataKey: SecureBytes, kek: SecureBytes)
        let attempt = Task.detached { () -> Result<(dataKey: SecureBytes, kek: SecureBytes), ServiceError> in
            do throws(ServiceError) { return .success(try Self.unwrapDataKey(meta, unlock: { _ in input })) } catch { return .failure(error) }
        }
        switch await attempt.value {
        case .success(let u): unwrapped = u
        case .failure(let error):
            outcome = .refused
            throw error
        }
        do {
            // A SQLite vault opened sealed was opened read-only; a shared store is writable already.
            if let local = store as? SQLiteStore {
                let writable = try SQLiteStore.open(at: local.path, readOnly: false)
                try writable.migrate()
                store.close()
                store = writable
            } else {
                try store.migrate()
                // As at every opening: not a database older than this host saw, nor a key it replaced.
                try FleetWatermarkFile(directory: directory).check(store)
                try Self.requireCurrentChain(store, keys: try VaultKeys(dataKey: unwrapped.dataKey), dekID: meta.dekID)
                sharedStore?.holdDataKey(meta.dekID)
            }
            keyring.install(try VaultKeys(dataKey: unwrapped.dataKey), masterKey: unwrapped.kek)
        } catch { throw Self.map(error) }
        outcome = .unlocked
        try prepareSigning(actor: actor)
        try write { tx in try audit(tx, op: "unseal", actor: actor) }
    }
}
