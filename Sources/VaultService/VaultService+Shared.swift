import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// `init` and the opening of a vault whose rows live in PostgreSQL (`[store] backend =
/// "postgres"`, Docs/fleet.md). The state directory still holds this host's lock (and key
/// file); the master key's fields and this host's wrapping of the data key are in its key slot.
extension VaultService {
    static func initializeShared(config: VaultConfig, dir: StateDirectory, lock: StateLock, master: MasterKeyInput, actor: ActorIdentity,
                                 kdfParameters: PassphraseKDFParameters?, clock: VaultClock) throws(ServiceError) -> VaultService {
        let store = try SharedStore.connect(config)
        let host = store.settings.host
        do {
            try store.migrate()
            guard try !store.holdsVault() else {
                throw ServiceError.invalidInput("the PostgreSQL database already holds a vault; to add this host to it, run `vobiz-vault fleet join`")
            }
            let now = clock.seconds
            let vaultID = Hex.encode(Random.data(count: 16))
            let dataKey = try SecureBytes.random(count: 32)
            let (kek, params) = try deriveKEK(master, parameters: kdfParameters)
            var slot = try newSlot(host: host, vaultID: vaultID, kek: kek, params: params, now: now)
            let meta = VaultMetaRecord(format: StoreFormat.current, vaultID: vaultID, createdAt: now, kekKind: slot.kekKind,
                                       kdfSalt: params?.salt, kdfOpsLimit: slot.kdfOpsLimit, kdfMemLimit: slot.kdfMemLimit,
                                       wrappedDEK: try AEAD.seal(dataKey, key: kek, associatedData: SecretBinding.dataKey(vaultID: vaultID).associatedData),
                                       kekID: slot.kekID, kekSetAt: now, dekID: newID(), dekCreatedAt: now)
            let keys = try VaultKeys(dataKey: dataKey)
            slot.memberMAC = keys.memberMAC(vaultID: vaultID, host: host, publicKey: slot.publicKey, dekID: meta.dekID)
            try store.write { tx in
                guard let fleet = tx as? any FleetTransaction else { throw ServiceError.store("the store keeps no key slots") }
                try fleet.insert(slot)
                try tx.insertMeta(meta)
                try tx.appendAudit(AuditEvent(seq: 0, atMillis: now * 1000, actor: actor, op: "init", authID: nil, version: nil, outcome: .ok,
                                              reason: nil, detail: AuditDetail.json(["vault_id": vaultID, "master_key": master.kindName,
                                                                                     "store": "postgres", "host": host])),
                                   using: keys.audit)
            }
            lock.downgrade()
            store.holdDataKey(meta.dekID)
            try FleetWatermarkFile(directory: dir).start(store)
            return VaultService(config: config, directory: dir, store: store, keys: keys, masterKey: kek, lock: lock, clock: clock)
        } catch {
            store.close()
            throw map(error)
        }
    }

    /// A key slot for `host`: a new X25519 key pair whose secret half only this host's master key opens.
    static func newSlot(host: String, vaultID: String, kek: SecureBytes, params: PassphraseKDFParameters?, now: Int64) throws -> KeySlotRecord {
        let pair = try BoxKeyPair()
        let sealed = try AEAD.seal(pair.secretKey, key: kek, associatedData: SecretBinding.slotSecret(vaultID: vaultID, host: host).associatedData)
        return KeySlotRecord(host: host, publicKey: Data(pair.publicKey), sealedSecret: sealed, kekKind: params == nil ? .key : .passphrase,
                             kdfSalt: params?.salt, kdfOpsLimit: params.map { Int64($0.opsLimit) }, kdfMemLimit: params.map { Int64($0.memLimit) },
                             kekID: newID(), kekSetAt: now, createdAt: now)
    }

    static func openShared(config: VaultConfig, dir: StateDirectory, lock: StateLock, unlock: MasterKeyProvider?, clock: VaultClock,
                           executor: (any SerialExecutor)?) throws(ServiceError) -> VaultService {
        let store = try SharedStore.connect(config)
        do {
            guard try store.holdsVault() else {
                throw ServiceError.store("the PostgreSQL database \(store.settings.url) holds no vault (run `vobiz-vault init` on the first host)")
            }
            let meta = try store.read { try $0.meta() }
            guard meta.format <= StoreFormat.current else { throw StoreError.newerFormat(found: meta.format, supported: StoreFormat.current) }
            // Before any key is opened: a database older than this host saw is not served.
            try FleetWatermarkFile(directory: dir).check(store)
            guard let unlock else {
                return VaultService(config: config, directory: dir, store: store, keys: nil, masterKey: nil, lock: lock, clock: clock, executor: executor)
            }
            let (dataKey, kek) = try unwrapDataKey(meta, unlock: unlock)
            try store.migrate()
            let keys = try VaultKeys(dataKey: dataKey)
            try requireCurrentChain(store, keys: keys, dekID: meta.dekID)
            store.holdDataKey(meta.dekID)
            return VaultService(config: config, directory: dir, store: store, keys: keys, masterKey: kek, lock: lock, clock: clock, executor: executor)
        } catch {
            store.close()
            throw map(error)
        }
    }

    /// The data key this host unwrapped must authenticate the fleet's audit chain as it is now:
    /// a key the database's label calls current, but that another key replaced (its slot and
    /// label put back by a writer, the chain kept), is refused. `fleet-watermark` holds the
    /// chain's length against a database put back whole.
    static func requireCurrentChain(_ store: any VaultStorage, keys: VaultKeys, dekID: String) throws(ServiceError) {
        let found: (dekID: String, opens: Bool)
        do {
            found = try store.read { tx in
                (try fleetTransaction(tx).vaultIdentity().dekID, try FleetJoin.Pending.opensChain(tx, keys: keys))
            }
        } catch { throw map(error) }
        // Another host's rekey committed since this host read its slot: nothing is wrong, it is late.
        guard found.dekID == dekID else {
            throw .storeUnavailable("another host replaced the data key while this host opened the vault; try again")
        }
        guard found.opens else {
            throw .tampered("the fleet's audit chain does not authenticate under the data key this host's slot holds: the slot or the "
                + "data key's record was put back or changed behind the fleet's back; this host refuses to serve the database")
        }
    }
}
