import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// The books on every credential: its account, its token versions and their rotation standing.
/// Every method works inside the caller's transaction: reads need no key; changes
/// (`Books+Rotation`, imports) seal with the vault's keys and write their audit row in the same
/// transaction, so a change and its row commit together or not at all.
struct Books {
    let keys: VaultKeys
    let rotation: VaultConfig.Rotation
    let clock: VaultClock

    var now: Int64 { clock.seconds }

    /// `partner`, or a valid auth id the vault holds.
    static func resolve(_ name: String, in tx: any StoreTransaction) throws -> AccountRecord {
        if name == "partner" {
            guard let p = try tx.partner() else { throw ServiceError.noPartner }
            return p
        }
        let id = try AuthID(name)
        guard let a = try tx.account(id) else { throw ServiceError.unknownCredential(id.rawValue) }
        return a
    }

    func resolve(_ name: String, in tx: any StoreTransaction) throws -> AccountRecord { try Self.resolve(name, in: tx) }

    /// One credential as `show` gives it.
    static func show(_ name: String, in tx: any StoreTransaction) throws -> AccountInfo {
        let a = try resolve(name, in: tx)
        guard let info = try tx.accountInfos(only: try AuthID(a.authID)).first else { throw ServiceError.unknownCredential(a.authID) }
        return info
    }

    /// Credentials due within `window` (default: each account's `warn`) or overdue, most urgent first.
    static func due(_ accounts: [AccountInfo], defaults: RotationPolicy, now: Int64, window: TimeSpan?) -> [DueItem] {
        accounts.compactMap { a -> DueItem? in
            guard let s = a.schedule(defaults: defaults, now: now, window: window), s.standing != .ok else { return nil }
            return DueItem(account: a, schedule: s)
        }.sorted { $0.schedule.secondsUntilDue < $1.schedule.secondsUntilDue }
    }

    /// Appends an audit row in `tx`, MACed into the chain.
    func audit(_ tx: any StoreTransaction, op: String, actor: ActorIdentity, authID: AuthID? = nil, version: Int64? = nil,
               outcome: AuditEvent.Outcome = .ok, reason: String? = nil, detail: [String: any Sendable] = [:]) throws {
        try tx.appendAudit(auditEvent(op: op, actor: actor, authID: authID, version: version, outcome: outcome, reason: reason,
                                      detail: detail), using: keys.audit)
    }

    /// An audit row of this moment, not yet in the chain (for changes that append many at once).
    func auditEvent(op: String, actor: ActorIdentity, authID: AuthID? = nil, version: Int64? = nil,
                    outcome: AuditEvent.Outcome = .ok, reason: String? = nil, detail: [String: any Sendable] = [:]) -> AuditEvent {
        AuditEvent(seq: 0, atMillis: clock.millis, actor: actor, op: op, authID: authID?.rawValue, version: version, outcome: outcome,
                   reason: reason, detail: AuditDetail.json(detail))
    }

    /// Seals `token` as `version` of `account`, active from now.
    func insertVersion(_ token: SecureBytes, account: AccountRecord, version: Int64, source: TokenSource, reason: String?,
                       actor: ActorIdentity, tx: any StoreTransaction) throws -> TokenVersionRecord {
        try token.withUnsafeBytes { b in
            try insertVersion(bytes: b, account: account, version: version, source: source, reason: reason, actor: actor, tx: tx)
        }
    }

    /// The same from bytes the caller holds and wipes (an import's parse buffer).
    func insertVersion(bytes token: UnsafeRawBufferPointer, account: AccountRecord, version: Int64, source: TokenSource,
                       reason: String?, actor: ActorIdentity, tx: any StoreTransaction) throws -> TokenVersionRecord {
        let id = try AuthID(account.authID)
        var v = TokenVersionRecord(accountID: try account.storedID, version: version, status: .active,
                                   ciphertext: try keys.seal(bytes: token, .token(id, version: version)),
                                   fingerprint: try keys.fingerprintOf(bytes: token), source: source, createdAt: now,
                                   actor: actor, reason: reason)
        try tx.insert(&v)
        return v
    }
}
