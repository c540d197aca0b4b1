import Foundation
import VaultCore
import VaultStore

extension VaultService {
    public func list() throws(ServiceError) -> [AccountInfo] {
        try read { try $0.accountInfos() }
    }

    /// The named accounts the vault holds (those it does not are left out).
    public func accountInfos(_ ids: [AuthID]) throws(ServiceError) -> [AccountInfo] {
        try read { try $0.accountInfos(ids: ids) }
    }

    public func show(_ name: String) throws(ServiceError) -> AccountInfo {
        try read { tx in try Books.show(name, in: tx) }
    }

    /// Credentials due within `within` (default: each account's `warn`) or overdue, most urgent first.
    public func due(within: TimeSpan?) throws(ServiceError) -> [DueItem] {
        Books.due(try list(), defaults: config.rotation.policy, now: now, window: within)
    }

    /// Everything `remind` reports: each credential's, the master key's age, and — when the data key is at
    /// hand (always in the daemon) — the audit chain.
    public func findings() async throws(ServiceError) -> [Finding] {
        var out = try await credentialFindings()
        let meta = try read { try $0.meta() }
        let audit: AuditChain.Verdict? = keys == nil ? nil : try await auditVerify()
        out += Reminders.vaultFindings(masterKeySetAt: meta.kekSetAt, maxAge: config.rotation.masterKeyMaxAge,
                                       warn: config.rotation.warn, now: now, audit: audit)
        return out
    }

    /// Each credential's findings, read a page at a time on the long-read connection: only the
    /// findings are kept, in auth id order (customers, then the partner).
    nonisolated func credentialFindings() async throws(ServiceError) -> [Finding] {
        let defaults = config.rotation.policy, jwt = config.jwt.rules, now = clock.seconds
        return try await longReads.read { tx in
            var customers: [Finding] = [], partner: [Finding] = []
            var after: AuthID?
            repeat {
                let ids = try tx.accountIDs(after: after, limit: 1000)
                for a in try tx.accountInfos(ids: ids) {
                    let found = Reminders.findings(for: [a], defaults: defaults, jwt: jwt, now: now)
                    if a.kind == .partner { partner += found } else { customers += found }
                }
                after = ids.count == 1000 ? ids.last : nil
            } while after != nil
            return customers + partner
        }
    }

    public func status() throws(ServiceError) -> VaultStatus {
        let unlocked = keys != nil
        let dir = directory.path
        return try read { tx in
            let m = try tx.meta()
            let byState = try tx.accountCounts()
            return VaultStatus(vaultID: m.vaultID, stateDir: dir, format: m.format, createdAt: m.createdAt,
                               masterKeyKind: m.kekKind.rawValue, masterKeyID: m.kekID, masterKeySetAt: m.kekSetAt,
                               dataKeyID: m.dekID, dataKeyCreatedAt: m.dekCreatedAt, unlocked: unlocked,
                               accounts: byState.values.reduce(0, +),
                               accountsByState: Dictionary(uniqueKeysWithValues: byState.map { ($0.key.rawValue, $0.value) }),
                               auditRows: m.auditHeadSeq)
        }
    }

    /// Folds the WAL into the database, so destroyed ciphertext leaves no frame behind: after
    /// every admin change, in the daemon as offline.
    /// One a long read held off is owed (`checkpointOwed`) and tried again by the grace
    /// destroyer's next look.
    public func checkpoint() {
        guard keys != nil else { return }
        do {
            try store.checkpoint()
            checkpointOwed = false
        } catch {
            checkpointOwed = true
        }
    }
}
