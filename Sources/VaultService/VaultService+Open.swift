import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Creates a vault: state directory (0700), database, a random data key wrapped by the
    /// master key. The database is built under a temporary name and renamed into place, so an
    /// interrupted `init` leaves no half vault behind.
    public static func initialize(config: VaultConfig, master: MasterKeyInput, actor: ActorIdentity,
                                  kdfParameters: PassphraseKDFParameters? = nil,
                                  clock: VaultClock = .system) throws(ServiceError) -> VaultService {
        let dir = StateDirectory(config.vault.stateDir)
        try dir.prepare()
        let lock = try dir.lock(exclusive: true)
        if config.store.backend == .postgres {
            return try initializeShared(config: config, dir: dir, lock: lock, master: master, actor: actor, kdfParameters: kdfParameters, clock: clock)
        }
        guard !FileManager.default.fileExists(atPath: dir.databasePath) else {
            throw .stateDirectory(path: dir.path, problem: "already holds a vault (vault.db); refusing to overwrite it")
        }
        let now = clock.seconds
        let vaultID = Hex.encode(Random.data(count: 16))
        let dataKey: SecureBytes
        let meta: VaultMetaRecord
        do {
            dataKey = try SecureBytes.random(count: 32)
            let (wrapKey, params) = try deriveKEK(master, parameters: kdfParameters)
            let wrapped = try AEAD.seal(dataKey, key: wrapKey, associatedData: SecretBinding.dataKey(vaultID: vaultID).associatedData)
            meta = VaultMetaRecord(format: StoreFormat.current, vaultID: vaultID, createdAt: now,
                                   kekKind: params == nil ? .key : .passphrase, kdfSalt: params?.salt,
                                   kdfOpsLimit: params.map { Int64($0.opsLimit) }, kdfMemLimit: params.map { Int64($0.memLimit) },
                                   wrappedDEK: wrapped, kekID: newID(), kekSetAt: now, dekID: newID(), dekCreatedAt: now)
        } catch let e as ServiceError { throw e } catch { throw map(error) }

        let temp = dir.path + "/vault.db.init-\(getpid())"
        let keys: VaultKeys
        let kek: SecureBytes
        do {
            keys = try VaultKeys(dataKey: dataKey)
            kek = try deriveKEK(master, parameters: meta.kdfSalt.map {
                PassphraseKDFParameters(salt: $0, opsLimit: UInt64(meta.kdfOpsLimit!), memLimit: UInt64(meta.kdfMemLimit!))
            }).0
            let staging = try SQLiteStore.create(at: temp)
            try staging.write { tx in
                try tx.insertMeta(meta)
                let e = AuditEvent(seq: 0, atMillis: now * 1000, actor: actor, op: "init", authID: nil, version: nil,
                                   outcome: .ok, reason: nil,
                                   detail: AuditDetail.json(["vault_id": vaultID, "master_key": master.kindName]))
                try tx.appendAudit(e, using: keys.audit)
            }
            try staging.checkpoint()
            staging.close()
            guard rename(temp, dir.databasePath) == 0 else { throw ServiceError.store("cannot move new vault into place: \(String(cString: strerror(errno)))") }
        } catch {
            unlink(temp)
            throw map(error)
        }
        for suffix in ["-wal", "-shm"] { unlink(temp + suffix) }
        lock.downgrade()
        let store: any VaultStorage
        do { store = try SQLiteStore.open(at: dir.databasePath, readOnly: false) } catch { throw .store(error.description) }
        return VaultService(config: config, directory: dir, store: store, keys: keys, masterKey: kek, lock: lock, clock: clock)
    }

    /// Opens an existing vault. Without `unlock` it is opened read-only: metadata, due dates and
    /// the audit log can be read, nothing can change. With it, the master key is checked first
    /// on a connection that writes, creates and deletes none of `vault.db`, `-wal` and `-shm`,
    /// so a wrong key leaves the files exactly as they were.
    public static func open(config: VaultConfig, unlock: MasterKeyProvider?, exclusive: Bool = false,
                            clock: VaultClock = .system,
                            executor: (any SerialExecutor)? = nil) throws(ServiceError) -> VaultService {
        let dir = StateDirectory(config.vault.stateDir)
        try dir.check()
        let lock = try dir.lock(exclusive: exclusive)
        if config.store.backend == .postgres {
            return try openShared(config: config, dir: dir, lock: lock, unlock: unlock, clock: clock, executor: executor)
        }
        let (probe, meta) = try readMeta(dir, untouched: unlock != nil)
        guard meta.format <= StoreFormat.current else {
            probe.close()
            throw .store(StoreError.newerFormat(found: meta.format, supported: StoreFormat.current).description)
        }
        guard let unlock else {
            return VaultService(config: config, directory: dir, store: probe, keys: nil, masterKey: nil, lock: lock, clock: clock,
                                executor: executor)
        }
        probe.close()
        let (checked, kek) = try unwrapDataKey(meta, unlock: unlock)
        var dataKey = checked
        let store: any VaultStorage
        do {
            store = try SQLiteStore.open(at: dir.databasePath, readOnly: false)
            // The writable connection must see the data key that was checked: if another
            // command rewrapped it in between, the same master key must open the new wrapping.
            let current = try store.read { try $0.meta() }
            if current.wrappedDEK != meta.wrappedDEK || current.vaultID != meta.vaultID {
                do {
                    dataKey = try AEAD.open(current.wrappedDEK, key: kek,
                                            associatedData: SecretBinding.dataKey(vaultID: current.vaultID).associatedData)
                } catch {
                    store.close()
                    throw ServiceError.wrongMasterKey
                }
            }
            try store.migrate()
        } catch { throw map(error) }
        let keys: VaultKeys
        do { keys = try VaultKeys(dataKey: dataKey) } catch {
            store.close()
            throw .crypto(error.description)
        }
        return VaultService(config: config, directory: dir, store: store, keys: keys, masterKey: kek, lock: lock, clock: clock,
                            executor: executor)
    }

    /// Opens the probe connection and reads the vault's metadata. The connection that changes
    /// no byte takes no lock either, so a command writing at the same moment could tear what it
    /// reads: the read is repeated until the files were the same before and after it (a wrong
    /// key must not be reported for a read that raced a writer).
    static func readMeta(_ dir: StateDirectory, untouched: Bool) throws(ServiceError) -> (any VaultStorage, VaultMetaRecord) {
        for attempt in 1...20 {
            let before = untouched ? fileStamp(dir.databasePath) : []
            // Whether to read again: a lock-free read that a writer overlapped, attempts left.
            let raced = { untouched && attempt < 20 && fileStamp(dir.databasePath) != before }
            let probe: any VaultStorage
            do {
                probe = untouched ? try SQLiteStore.openUntouched(at: dir.databasePath) : try SQLiteStore.open(at: dir.databasePath, readOnly: true)
            } catch {
                if raced() { usleep(20_000); continue }
                throw .store(error.description)
            }
            do {
                let meta = try probe.read { try $0.meta() }
                guard raced() else { return (probe, meta) }
                probe.close()
            } catch {
                probe.close()
                guard raced() else { throw map(error) }
            }
            usleep(20_000)
        }
        throw .store("the vault kept changing while its metadata was read; retry")
    }

    /// Size and modification time of the database and its WAL: what a writer changes.
    static func fileStamp(_ path: String) -> [String] {
        [path, path + "-wal"].map { p in
            var st = stat()
            guard stat(p, &st) == 0 else { return "-" }
            return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
    }

    /// Derives the key-encryption key from what the operator supplied.
    static func deriveKEK(_ master: MasterKeyInput, parameters: PassphraseKDFParameters?) throws -> (SecureBytes, PassphraseKDFParameters?) {
        switch master {
        case .key(let k):
            guard k.count == 32 else { throw ServiceError.invalidInput("master key must be 32 bytes") }
            return (k, nil)
        case .passphrase(let p):
            guard p.count >= 8 else { throw ServiceError.invalidInput("passphrase too short: use at least 8 characters") }
            let params = try parameters ?? PassphraseKDFParameters.fresh()
            return (try PassphraseKDF.deriveKey(passphrase: p, parameters: params), params)
        }
    }

    static func unwrapDataKey(_ meta: VaultMetaRecord, unlock: MasterKeyProvider) throws(ServiceError) -> (dataKey: SecureBytes, kek: SecureBytes) {
        let input: MasterKeyInput
        do { input = try unlock(meta.kekKind == .passphrase) } catch { throw map(error) }
        let kek: SecureBytes
        do {
            switch (meta.kekKind, input) {
            case (.key, .key(let k)):
                guard k.count == 32 else { throw ServiceError.wrongMasterKey }
                kek = k
            case (.passphrase, .passphrase(let p)):
                guard let salt = meta.kdfSalt, let ops = meta.kdfOpsLimit, let mem = meta.kdfMemLimit else { throw ServiceError.store("passphrase parameters missing") }
                kek = try PassphraseKDF.deriveKey(passphrase: p, parameters: .init(salt: salt, opsLimit: UInt64(ops), memLimit: UInt64(mem)))
            case (.key, .passphrase):
                throw ServiceError.masterKeyKindMismatch(vaultUses: "key file (pass --key-file)")
            case (.passphrase, .key):
                throw ServiceError.masterKeyKindMismatch(vaultUses: "passphrase (type it at the prompt or pass --passphrase-file)")
            }
            return (try AEAD.open(meta.wrappedDEK, key: kek, associatedData: SecretBinding.dataKey(vaultID: meta.vaultID).associatedData), kek)
        } catch CryptoError.openFailed {
            throw .wrongMasterKey
        } catch {
            throw map(error)
        }
    }

    static func newID() -> String { Hex.encode(Random.data(count: 8)) }
}
