import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// `fleet join` on a new host (Docs/fleet.md): asks the fleet for the data key without any
/// master key leaving any host. The host makes an X25519 key pair, publishes the public half in
/// a pending key slot (the secret half sealed under its own master key, so a restarted join
/// resumes), and waits for a member to seal the data key to it. It takes the key only if the
/// key opens the fleet's audit chain, so a key sealed to it by anyone but a member is refused.
public struct FleetJoin: Sendable {
    public let config: VaultConfig
    public let master: MasterKeyInput
    public let actor: ActorIdentity
    public var clock: VaultClock = .system
    /// `--vault-fingerprint`: the fleet's data key fingerprint read off a member (`fleet list`);
    /// a key sealed to this host that does not match it is refused.
    public var expectedVault: String?

    public init(config: VaultConfig, master: MasterKeyInput, actor: ActorIdentity) {
        self.config = config
        self.master = master
        self.actor = actor
    }

    /// The join request: the host's name and the fingerprint the admitting operator must type.
    public struct Request: Sendable {
        public let host: String
        public let fingerprint: String
    }

    /// Registers the pending slot (or finds this host's earlier request) and answers what to
    /// show; then `wait` takes the key once a member admitted it.
    public func request() throws(ServiceError) -> (Request, Pending) {
        guard config.store.backend == .postgres else { throw .invalidInput("`fleet join` needs [store] backend = \"postgres\" (Docs/fleet.md)") }
        let dir = StateDirectory(config.vault.stateDir)
        try dir.prepare()
        let lock = try dir.lock(exclusive: true)
        let store = try SharedStore.connect(config)
        let host = store.settings.host
        do {
            guard try store.holdsVault() else {
                throw ServiceError.store("the PostgreSQL database \(store.settings.url) holds no vault (run `vobiz-vault init` on the first host)")
            }
            let (kek, slot, vaultID) = try store.write { tx throws -> (SecureBytes, KeySlotRecord, String) in
                let fleet = try VaultService.fleetTransaction(tx)
                let (vaultID, dekID) = try fleet.vaultIdentity()
                if let old = try fleet.keySlot(host) {
                    if old.state == .active, old.dekID == dekID, old.sealedDEK == nil {
                        throw ServiceError.fleetConflict("\(host) is already a member of the fleet; start the daemon")
                    }
                    let kek = try kekFor(old)
                    _ = try openSecret(old, kek: kek, vaultID: vaultID)
                    return (kek, old, vaultID)
                }
                let (kek, params) = try VaultService.deriveKEK(master, parameters: nil)
                let slot = try VaultService.newSlot(host: host, vaultID: vaultID, kek: kek, params: params, now: clock.seconds)
                try fleet.insert(slot)
                return (kek, slot, vaultID)
            }
            let shown = SlotFingerprint.render(BoxKeyPair.fingerprint(of: [UInt8](slot.publicKey)))
            return (Request(host: host, fingerprint: shown), Pending(join: self, store: store, lock: lock, kek: kek, vaultID: vaultID))
        } catch {
            store.close()
            throw VaultService.map(error)
        }
    }

    /// The master key of this host as its earlier request stretched it (a passphrase's salt).
    private func kekFor(_ slot: KeySlotRecord) throws -> SecureBytes {
        let params = slot.kdfSalt.map {
            PassphraseKDFParameters(salt: $0, opsLimit: UInt64(slot.kdfOpsLimit ?? 0), memLimit: UInt64(slot.kdfMemLimit ?? 0))
        }
        return try VaultService.deriveKEK(master, parameters: params).0
    }

    func openSecret(_ slot: KeySlotRecord, kek: SecureBytes, vaultID: String) throws -> BoxKeyPair {
        let secret: SecureBytes
        do {
            secret = try AEAD.open(slot.sealedSecret, key: kek, associatedData: SecretBinding.slotSecret(vaultID: vaultID, host: slot.host).associatedData)
        } catch {
            throw ServiceError.fleetConflict("a join request for \(slot.host) exists, made with another master key; "
                + "if it is not this host's, remove it on a member (`vobiz-vault fleet remove \(slot.host)`) and join again")
        }
        let pair = try BoxKeyPair(secretKey: secret)
        guard Data(pair.publicKey) == slot.publicKey else { throw ServiceError.tampered("key_slots row of \(slot.host)") }
        return pair
    }

    /// A join request waiting for a member's `fleet admit`.
    public final class Pending: @unchecked Sendable {
        let join: FleetJoin
        let store: PostgresStore
        let lock: StateLock
        let kek: SecureBytes
        let vaultID: String

        init(join: FleetJoin, store: PostgresStore, lock: StateLock, kek: SecureBytes, vaultID: String) {
            self.join = join
            self.store = store
            self.lock = lock
            self.kek = kek
            self.vaultID = vaultID
        }

        deinit { store.close() }

        /// Looks for the sealed data key every `poll` until `timeout`; takes it when there, and
        /// answers its fingerprint.
        public func wait(timeout: Duration, poll: Duration = .milliseconds(250)) async throws(ServiceError) -> String {
            let deadline = ContinuousClock.now + timeout
            while true {
                if let taken = try take() {
                    // The fleet this host now serves: a record left by another vault is replaced.
                    let record = FleetWatermarkFile(directory: StateDirectory(join.config.vault.stateDir))
                    if (try? record.read())??.vaultID == vaultID { try record.check(store) } else { try record.start(store) }
                    return taken
                }
                guard ContinuousClock.now < deadline else {
                    throw .fleetConflict("not admitted within the wait; the request stays: run `fleet join` again to go on waiting")
                }
                try? await Task.sleep(for: poll)
            }
        }

        /// Opens the data key sealed to this host, checks it against the fleet's audit chain, and
        /// wraps it with this host's master key; the key's fingerprint, or nil while no member has
        /// admitted the host.
        ///
        /// Nothing in the database can prove that a member sealed the key: a writer of the
        /// database can seal a key of its own and rewrite the chain's head to match it. The proof
        /// is the operator's: `--vault-fingerprint` (the member's `fleet list`), or comparing the
        /// fingerprint printed here with the one `fleet admit` printed.
        func take() throws(ServiceError) -> String? {
            let host = store.settings.host
            do {
                // A read while nothing is sealed yet: waiting must not take the fleet's write lock.
                let sealed = try store.read { tx -> Bool in
                    guard let slot = try VaultService.fleetTransaction(tx).keySlot(host) else {
                        throw ServiceError.fleetConflict("the join request of \(host) was removed by a member")
                    }
                    return slot.sealedDEK != nil
                }
                guard sealed else { return nil }
                return try store.write { tx in
                    let fleet = try VaultService.fleetTransaction(tx)
                    guard var slot = try fleet.keySlot(host) else {
                        throw ServiceError.fleetConflict("the join request of \(host) was removed by a member")
                    }
                    guard let sealed = slot.sealedDEK else { return nil }
                    let pair = try join.openSecret(slot, kek: kek, vaultID: vaultID)
                    let dataKey: SecureBytes
                    do { dataKey = try SealedBox.open(sealed, with: pair) } catch {
                        throw ServiceError.tampered("the data key sealed to \(host) does not open")
                    }
                    let keys = try VaultKeys(dataKey: dataKey)
                    let (_, dekID) = try fleet.vaultIdentity()
                    // A member that missed a rekey holds the replaced key: the new one must come
                    // with a proof made under it, as a running daemon requires.
                    if let held = slot.wrappedDEK {
                        let old = try VaultKeys(dataKey: try AEAD.open(held, key: kek,
                                                                       associatedData: SecretBinding.dataKey(vaultID: vaultID).associatedData))
                        guard let proof = slot.dekProof,
                              old.audit.equal(old.handOverProof(to: keys, vaultID: vaultID, host: host, dekID: dekID), proof) else {
                            throw ServiceError.tampered("the data key sealed to \(host) carries no proof from a holder of the key it replaces; refused")
                        }
                    }
                    if let expected = join.expectedVault {
                        guard try SlotFingerprint.matches(expected, digest: keys.check) else {
                            throw ServiceError.tampered("the data key sealed to \(host) is not the fleet's (its fingerprint differs from "
                                + "--vault-fingerprint): it was not sealed by a member; refused")
                        }
                    }
                    guard try Self.opensChain(tx, keys: keys) else {
                        throw ServiceError.tampered("the data key sealed to \(host) does not open the fleet's audit chain: "
                            + "it was not sealed by a member; refused")
                    }
                    slot.wrappedDEK = try AEAD.seal(dataKey, key: kek, associatedData: SecretBinding.dataKey(vaultID: vaultID).associatedData)
                    slot.dekID = dekID
                    slot.sealedDEK = nil
                    slot.state = .active
                    slot.admittedAt = join.clock.seconds
                    try fleet.update(slot)
                    let books = Books(keys: keys, rotation: join.config.rotation, clock: join.clock)
                    try books.audit(tx, op: "fleet-join", actor: join.actor,
                                    detail: ["host": host, "fingerprint": SlotFingerprint.render(pair.fingerprint),
                                             "admitted_by": slot.admittedBy ?? ""])
                    return keys.checkFingerprint
                }
            } catch { throw VaultService.map(error) }
        }

        /// Whether `keys` authenticate the chain's head: only the fleet's data key does.
        static func opensChain(_ tx: any StoreTransaction, keys: VaultKeys) throws -> Bool {
            let (seq, mac) = try tx.auditHead()
            guard let head = try tx.auditHeadRecord(), head.seq == seq else { return false }
            return keys.audit.equal(AuditChain.headTag(seq: seq, lastMAC: mac, using: keys.audit), head.tag)
        }
    }
}
