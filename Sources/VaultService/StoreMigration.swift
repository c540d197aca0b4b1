import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// `store migrate`: copies the vault that `config` names, every row with its id and the audit
/// log verbatim with its MACs, into an empty PostgreSQL database or a new SQLite file
/// (`StoreTarget`), so a vault moves between backends either way (Docs/cli.md).
///
/// Offline and whole: the vault is opened with its master key and its state lock taken
/// exclusively (refused while a daemon holds it); the source's chain is verified and its rows
/// counted in one read transaction, and everything is written in one write transaction of the
/// target, which appends a `store-migrate` row, verifies the chain under the same key, compares
/// the rows of every table and opens the data key with this host's master key before it
/// commits. Any failure leaves the target as it was.
///
/// The master key's fields go with this host: a PostgreSQL copy holds one key slot, this host's
/// (other hosts of a fleet join the copy again); a SQLite copy holds them in `vault_meta`.
public struct StoreMigration: Sendable {
    /// The configuration naming the vault to copy, and so its store.
    public let config: VaultConfig
    public let target: StoreTarget
    /// Who copies: named in the `store-migrate` row.
    public let actor: ActorIdentity
    let clock: VaultClock

    public init(config: VaultConfig, target: StoreTarget, actor: ActorIdentity, clock: VaultClock = .system) {
        (self.config, self.target, self.actor, self.clock) = (config, target, actor, clock)
    }

    /// What was copied, for the operator and `--json`.
    public struct Report: Sendable, Equatable {
        /// The source's backend (`sqlite` or `postgres`) and where it is.
        public let from: String
        public let source: String
        /// The target's backend and where it is (`StoreTarget.description`).
        public let to: String
        public let target: String
        /// The host whose key slot a PostgreSQL copy holds.
        public let host: String?
        public let vaultID: String
        /// Rows copied, by table (`vault_meta`, `accounts`, … `audit_events`).
        public let rows: [String: Int]
        /// Rows of the copy's audit chain, verified intact: the copied ones and `store-migrate`.
        public let auditRows: Int
    }

    /// Rows read and written at a time: neither side holds the accounts, versions or audit log
    /// of a large vault at once.
    static let page = 1000

    /// Checks that the target is empty, opens the vault (the key from `unlock`), and copies it.
    public func run(unlock: @escaping MasterKeyProvider) async throws(ServiceError) -> Report {
        try target.checkEmpty()
        let vault = try VaultService.open(config: config, unlock: unlock, exclusive: true, clock: clock)
        // As every command that holds the key: versions past their grace go before the copy.
        try await vault.destroyExpired(actor: actor)
        return try await vault.migrate(self)
    }

    /// The copy from `source`, the open vault's store, under its keys and master key. The
    /// target is prepared only once the source's chain verified.
    func copy(from source: any VaultStorage, described: (backend: String, place: String), keys: VaultKeys,
              kek: SecureBytes) throws(ServiceError) -> Report {
        do {
            return try source.read { src in
                let verdict = try src.verifyAuditChain(using: keys.audit)
                guard case .intact = verdict else { throw Self.broken(verdict, in: "the vault's audit log") }
                try requireFleetStopped(src)
                let counts = try src.rowCounts()
                let meta = try src.meta()
                let opened = try target.open()
                do {
                    let report = try opened.store.write { dst in
                        try fill(dst, from: src, meta: meta, counts: counts, keys: keys, kek: kek, described: described)
                    }
                    try target.finish(opened)
                    return report
                } catch {
                    target.discard(opened)
                    throw error
                }
            }
        } catch { throw VaultService.map(error) }
    }

    /// What another host of a fleet writes after the copy's snapshot would not be in the copy:
    /// a fleet is copied with every other host's daemon stopped. A host with a session open on
    /// the database (its connections carry its name) refuses the copy.
    private func requireFleetStopped(_ src: any StoreTransaction) throws {
        guard let fleet = src as? any FleetTransaction else { return }
        // PostgreSQL keeps 63 bytes of an application name; host names have at most 64.
        let members = Dictionary(try fleet.keySlots().map { (String($0.host.utf8.prefix(63)) ?? $0.host, $0.host) }) { first, _ in first }
        let running = try fleet.connectedHosts().compactMap { members[$0] }.filter { $0 != fleet.host }
        guard running.isEmpty else {
            throw ServiceError.fleetConflict("other hosts of the fleet are connected to the database (\(running.joined(separator: ", "))): "
                + "stop their daemons (`systemctl stop vobiz-vault`) before copying the vault, or their later changes would be lost "
                + "(a session left by a host that crashed ends with `SELECT pg_terminate_backend(pid)` on the server)")
        }
    }

    /// Everything, in the target's one write transaction.
    private func fill(_ dst: any StoreTransaction, from src: any StoreTransaction, meta: VaultMetaRecord, counts: [VaultTable: Int],
                      keys: VaultKeys, kek: SecureBytes, described: (backend: String, place: String)) throws -> Report {
        try requireEmpty(dst)
        if let fleet = dst as? any FleetTransaction {
            let params = meta.kdfSalt.map {
                PassphraseKDFParameters(salt: $0, opsLimit: UInt64(meta.kdfOpsLimit ?? 0), memLimit: UInt64(meta.kdfMemLimit ?? 0))
            }
            var slot = try VaultService.newSlot(host: fleet.host, vaultID: meta.vaultID, kek: kek, params: params, now: clock.seconds)
            slot.memberMAC = keys.memberMAC(vaultID: meta.vaultID, host: slot.host, publicKey: slot.publicKey, dekID: meta.dekID)
            try fleet.insert(slot)
        }
        // The head moves with the rows it names (`copyAudit`).
        var copied = meta
        copied.auditHeadSeq = 0
        copied.auditHeadTag = nil
        try dst.insertMeta(copied)
        try RowCopy(from: src, to: dst, page: Self.page).all(head: meta.auditHeadTag.map { AuditChain.Head(seq: meta.auditHeadSeq, tag: $0) })

        var detail: [String: any Sendable] = ["from": described.backend, "source": described.place, "to": target.backend,
                                              "target": target.description]
        if let host = target.host { detail["host"] = host }
        for (table, n) in counts { detail[table.rawValue] = n }
        try dst.appendAudit(AuditEvent(seq: 0, atMillis: clock.millis, actor: actor, op: "store-migrate", authID: nil, version: nil,
                                       outcome: .ok, reason: nil, detail: AuditDetail.json(detail)),
                            using: keys.audit)
        let auditRows = try check(dst, against: counts, keys: keys, kek: kek)
        return Report(from: described.backend, source: described.place, to: target.backend, target: target.description, host: target.host,
                      vaultID: meta.vaultID, rows: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                      auditRows: auditRows)
    }

    /// A database without a vault may still hold rows (left by hand, or by another program):
    /// the copy goes only into tables that are all empty, with no key slot.
    private func requireEmpty(_ dst: any StoreTransaction) throws {
        var held = try dst.rowCounts().filter { $0.value > 0 }.map { "\($0.key.rawValue): \($0.value)" }
        if let fleet = dst as? any FleetTransaction {
            let slots = try fleet.keySlots().count
            if slots > 0 { held.append("key_slots: \(slots)") }
        }
        guard held.isEmpty else { throw ServiceError.targetNotEmpty(target: target.description, holds: "holds rows (\(held.sorted().joined(separator: ", ")))") }
    }

    /// The copy before it commits: every table holds what the source held (and the log one row
    /// more), the chain verifies under the vault's key, and this host's master key opens the
    /// data key the copy names. Answers the chain's rows.
    private func check(_ dst: any StoreTransaction, against counts: [VaultTable: Int], keys: VaultKeys, kek: SecureBytes) throws -> Int {
        var expected = counts
        expected[.auditEvents, default: 0] += 1
        let found = try dst.rowCounts()
        let differing = VaultTable.allCases.filter { found[$0] != expected[$0] }
        guard differing.isEmpty else {
            let what = differing.map { "\($0.rawValue) \(found[$0] ?? 0) of \(expected[$0] ?? 0)" }.joined(separator: ", ")
            throw ServiceError.store("the copy does not hold every row (\(what)); nothing was kept in \(target.description)")
        }
        let verdict = try dst.verifyAuditChain(using: keys.audit)
        guard case .intact(let rows) = verdict else { throw Self.broken(verdict, in: "the copy's audit log") }
        let meta = try dst.meta()
        let dataKey: SecureBytes
        do {
            dataKey = try AEAD.open(meta.wrappedDEK, key: kek, associatedData: SecretBinding.dataKey(vaultID: meta.vaultID).associatedData)
        } catch { throw ServiceError.store("the copy's data key does not open with this host's master key; nothing was kept") }
        guard dataKey.constantTimeEquals(keys.dataKey) else {
            throw ServiceError.store("the copy names another data key than the vault's; nothing was kept")
        }
        return rows
    }

    static func broken(_ verdict: AuditChain.Verdict, in what: String) -> ServiceError {
        guard case .broken(let seq, let problem) = verdict else { return .auditBroken(what) }
        return .auditBroken("row \(seq) of \(what): \(problem.explanation)")
    }
}
