import Foundation
import VaultCore
import VaultCrypto
import VaultStore
#if canImport(Glibc)
import Glibc
#endif

/// The copy behind `backup` and `POST /v1/admin/backup`, and `restore --from FILE`.
extension VaultService {
    /// A consistent copy of the vault and its manifest, made with SQLite's online backup from
    /// a read-only connection — safe while a daemon writes. Needs no key: the copy holds
    /// ciphertext only. `backup --to` writes it (`BackupFiles`); the admin API answers with it.
    public static func backupCopy(config: VaultConfig, clock: VaultClock) throws(ServiceError) -> BackupCopy {
        let dir = StateDirectory(config.vault.stateDir)
        try dir.check()
        let store: any VaultStorage
        do { store = try SQLiteStore.open(at: dir.databasePath, readOnly: true) } catch { throw .store(error.description) }
        defer { store.close() }
        let (meta, accounts): (VaultMetaRecord, Int)
        do { (meta, accounts) = try store.read { tx in (try tx.meta(), try tx.accountCounts().values.reduce(0, +)) } } catch { throw map(error) }
        // SQLite writes a copy by name, so it writes into a private directory of the state
        // directory (ours, 0700), and the bytes go on from there.
        let copy = try privateCopy(of: store, in: dir)
        let sha256 = Hex.encode(copy.withUnsafeBytes { SHA256.hash($0) })
        let manifest = BackupManifest(format: meta.format, vaultID: meta.vaultID, kekKind: meta.kekKind.rawValue, kekID: meta.kekID,
                                      dekID: meta.dekID, createdAt: Timestamp.iso(clock.seconds),
                                      auditHeadSeq: meta.auditHeadSeq, accounts: accounts, sha256: sha256)
        return BackupCopy(database: copy, manifest: manifest)
    }

    /// Audits a copy of the vault handed out (a whole-vault export, if encrypted) when the key is
    /// at hand; a row that cannot be written refuses the copy. Without the key (the CLI opening
    /// the file itself, read-only) there is no chain to append to.
    func recordBackup(_ m: BackupManifest, actor: ActorIdentity) throws(ServiceError) {
        guard keys != nil else { return }
        try write { tx in
            try audit(tx, op: "backup", actor: actor, detail: ["sha256": m.sha256, "accounts": m.accounts, "audit_head_seq": m.auditHeadSeq])
        }
    }

    /// The bytes of an online backup of `store`, made in a temporary directory that only this
    /// user can enter and that is removed again.
    private static func privateCopy(of store: any VaultStorage, in dir: StateDirectory) throws(ServiceError) -> Data {
        var template = Array((dir.path + "/backup-XXXXXX").utf8CString)
        guard let scratch = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw .store("cannot create a temporary directory in \(dir.path): \(String(cString: strerror(errno)))")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do { try store.backup(to: scratch + "/vault.db") } catch { throw .store(error.description) }
        guard let bytes = FileManager.default.contents(atPath: scratch + "/vault.db") else { throw .store("cannot read the copy in \(scratch)") }
        return bytes
    }

    /// Puts a backup in place of the vault in `config`'s state directory. Refuses when the file
    /// does not match its manifest, when the master key does not open it, when its audit chain
    /// is broken, or while a daemon holds the vault. The vault it replaces is kept beside it as
    /// `vault.db.pre-restore-<time>`.
    public static func restore(config: VaultConfig, from path: String, unlock: MasterKeyProvider,
                               clock: VaultClock = .system) throws(ServiceError) -> BackupManifest {
        let manifestPath = BackupManifest.path(for: path)
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: try Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        } catch {
            throw .invalidInput("cannot read the manifest \(manifestPath) that `backup` wrote beside \(path)")
        }
        guard try fileSHA256(path) == manifest.sha256 else {
            throw .tampered("\(path) does not match its manifest (SHA-256 differs): the backup is damaged or was altered")
        }
        // Check the backup itself before touching the vault.
        let copy: any VaultStorage
        do { copy = try SQLiteStore.open(at: path, readOnly: true) } catch { throw .store(error.description) }
        do {
            defer { copy.close() }
            let meta: VaultMetaRecord
            do { meta = try copy.read { try $0.meta() } } catch { throw map(error) }
            guard meta.vaultID == manifest.vaultID else { throw .tampered("the backup's vault id differs from its manifest") }
            let dataKey: SecureBytes
            do { dataKey = try unwrapDataKey(meta, unlock: unlock).dataKey } catch ServiceError.wrongMasterKey {
                throw .invalidInput("master key does not open this backup (vault \(meta.vaultID), key \(meta.kekID))")
            }
            let keys: VaultKeys
            do { keys = try VaultKeys(dataKey: dataKey) } catch { throw .crypto(error.description) }
            let verdict: AuditChain.Verdict
            do { verdict = try copy.read { tx in try tx.verifyAuditChain(using: keys.audit) } } catch {
                throw map(error)
            }
            guard case .intact = verdict else { throw .auditBroken("the backup's audit log: \(verdict)") }
        }
        let dir = StateDirectory(config.vault.stateDir)
        try dir.prepare()
        let lock = try dir.lock(exclusive: true)
        defer { withExtendedLifetime(lock) {} }
        try replace(dir, with: path, at: clock.seconds)
        return manifest
    }

    /// Writes the copy under a temporary name, keeps the old database (checkpointed, so it is
    /// whole without its WAL), then renames the copy into place and syncs the directory.
    private static func replace(_ dir: StateDirectory, with path: String, at now: Int64) throws(ServiceError) {
        let fm = FileManager.default
        let incoming = dir.path + "/vault.db.restoring"
        try? fm.removeItem(atPath: incoming)
        do { try fm.copyItem(atPath: path, toPath: incoming) } catch { throw .store("cannot copy the backup into \(dir.path): \(error)") }
        chmod(incoming, 0o600)
        syncFile(incoming)
        if fm.fileExists(atPath: dir.databasePath) {
            if let old = try? SQLiteStore.open(at: dir.databasePath, readOnly: false) {
                try? old.checkpoint()
                old.close()
            }
            let kept = dir.databasePath + ".pre-restore-" + String(now)
            guard rename(dir.databasePath, kept) == 0 else { throw .store("cannot move the current vault aside to \(kept)") }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: dir.databasePath + suffix) }
        }
        guard rename(incoming, dir.databasePath) == 0 else { throw .store("cannot rename the restored copy into place") }
        syncFile(dir.path)
    }

    static func syncFile(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); Glibc.close(fd) }
    }

    static func fileSHA256(_ path: String) throws(ServiceError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .store("cannot read \(path)") }
        return Hex.encode(data.withUnsafeBytes { SHA256.hash($0) })
    }
}
