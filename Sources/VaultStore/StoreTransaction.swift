import Foundation
import VaultCore

/// The vault's storage API: the named reads and writes valid inside one `VaultStorage.read` or
/// `write`. Nothing outside this module sees past it, so a backend is a type that implements
/// it (`SQLiteTransaction` today). Rows are the records of this module; they hold ciphertext
/// only, each bound to its row by its associated data, whatever the backend.
///
/// In a write transaction everything commits together or not at all. A backend that serves
/// several writers at once must serialize the audit chain: `auditHead()` in a write
/// transaction holds the head until the transaction ends (SQLite's write lock does that for
/// one host; a shared server would lock the head row). A change that other readers must see
/// is visible, and may be announced, exactly when its transaction commits.
public protocol StoreTransaction {
    // MARK: metadata
    func meta() throws -> VaultMetaRecord
    func insertMeta(_ m: VaultMetaRecord) throws
    func updateMeta(_ m: VaultMetaRecord) throws

    // MARK: accounts
    func account(_ id: AuthID) throws -> AccountRecord?
    func partner() throws -> AccountRecord?
    /// The partner first, then customers by auth id.
    func accounts() throws -> [AccountRecord]
    func insert(_ a: inout AccountRecord) throws
    func update(_ a: AccountRecord) throws
    /// Links every customer without a parent to `partner`.
    func adoptOrphans(by partner: AuthID) throws
    /// Up to `limit` auth ids after `after` in listing order: the partner first, then
    /// customers by auth id (a page of `list`; nil starts at the beginning).
    func accountIDs(after: AuthID?, limit: Int) throws -> [AuthID]
    /// `AccountInfo` of the named accounts in the order given (those the vault does not hold
    /// are left out), versions newest first.
    func accountInfos(ids: [AuthID]) throws -> [AccountInfo]
    /// Accounts by state, counted without loading them.
    func accountCounts() throws -> [AccountState: Int]
    /// Calls `body` with every account's rotation input, one row at a time.
    func forEachRotationInput(_ body: (RotationInput) throws -> Void) throws
    /// The rotation inputs of up to `limit` accounts due within `window` (nil: each one's warn)
    /// or overdue, after `after`, most urgent first (due date, then auth id): one page of the due
    /// listing chosen by the store, which must choose exactly as `RotationSchedule` and
    /// `DueSelection` do (the service applies those to what it gets).
    func dueInputs(defaults: RotationPolicy, now: Int64, window: TimeSpan?, after: DueSelection.Cursor?, limit: Int) throws -> [RotationInput]

    // MARK: token versions
    /// Newest first.
    func versions(of accountID: Int64) throws -> [TokenVersionRecord]
    func activeVersion(of accountID: Int64) throws -> TokenVersionRecord?
    func latestVersionNumber(of accountID: Int64) throws -> Int64
    func insert(_ v: inout TokenVersionRecord) throws
    func update(_ v: TokenVersionRecord) throws
    /// Versions whose grace has ended and whose ciphertext is still there, with their account.
    func versionsPastGrace(now: Int64) throws -> [(AccountRecord, TokenVersionRecord)]
    /// Every version that still holds ciphertext, with its account (for `rekey --data-key`).
    func sealedVersions() throws -> [(AccountRecord, TokenVersionRecord)]

    // MARK: JWT logins and sessions
    func loginCredentials(of accountID: Int64) throws -> LoginCredentialRecord?
    func allLoginCredentials() throws -> [LoginCredentialRecord]
    func save(_ r: inout LoginCredentialRecord) throws
    @discardableResult func deleteLoginCredentials(of accountID: Int64) throws -> Bool
    func session(of accountID: Int64) throws -> JWTSessionRecord?
    func sessions() throws -> [JWTSessionRecord]
    func save(_ r: inout JWTSessionRecord) throws
    @discardableResult func deleteSession(of accountID: Int64) throws -> Bool

    // MARK: signing keys
    func activeSigningKey() throws -> SigningKeyRecord?
    /// Oldest first.
    func signingKeys() throws -> [SigningKeyRecord]
    func insert(_ k: inout SigningKeyRecord) throws
    func update(_ k: SigningKeyRecord) throws

    // MARK: audit
    /// The last row's seq and MAC (0 and the genesis MAC for an empty log).
    func auditHead() throws -> (seq: Int64, mac: Data)
    /// Appends `events` to the chain and moves the authenticated head, in this transaction, with
    /// one head read and one head write (the daemon's group commit); `afterEach` runs after
    /// each row. The chain is `AuditRows.appendChained`, the same for every backend.
    func appendAudit<M: AuditChain.AuditMAC>(_ events: [AuditEvent], using mac: M, afterEach: (() -> Void)?) throws
    /// Recomputes every MAC and the head under a new key (after `rekey --data-key`, which the
    /// caller allows only on a chain that verified under the old key).
    func remacAudit<M: AuditChain.AuditMAC>(using mac: M) throws
    /// All rows, ascending.
    func auditEvents() throws -> [AuditEvent]
    /// Calls `body` with every row, ascending, one at a time, until it answers false.
    func forEachAuditEvent(_ body: (AuditEvent) throws -> Bool) throws
    /// The last `limit` rows, ascending.
    func auditTail(limit: Int) throws -> [AuditEvent]
    /// Up to `limit` rows after `seq`, ascending.
    func auditEvents(after seq: Int64, limit: Int) throws -> [AuditEvent]
    func auditHeadRecord() throws -> AuditChain.Head?

    // MARK: copies between stores (`store migrate`)
    /// Up to `limit` whole account rows with a row id above `after`, by row id.
    func accountRows(after rowID: Int64, limit: Int) throws -> [AccountRecord]
    /// Up to `limit` whole token version rows with a row id above `after`, by row id.
    func versionRows(after rowID: Int64, limit: Int) throws -> [TokenVersionRecord]
    /// How many rows each of the vault's tables holds.
    func rowCounts() throws -> [VaultTable: Int]
    /// Inserts audit rows sealed in another store of the same vault, verbatim with their MACs,
    /// after the last row this store holds; with `head`, then moves the authenticated head to it.
    /// Only for copying a vault between stores, which verifies the chain it copies before and,
    /// under the same key, after. Each row must continue the chain as stored (the next seq, the
    /// last row's MAC as its `prev_mac`) and `head` must name the last row, else it throws and
    /// the transaction writes nothing. Rows new to the vault go through `appendAudit`.
    func copyAudit(_ rows: [AuditEvent], head: AuditChain.Head?) throws
}

extension StoreTransaction {
    /// Checks the whole chain and its head, reading the log a row at a time.
    public func verifyAuditChain<M: AuditChain.AuditMAC>(using mac: M) throws -> AuditChain.Verdict {
        var verifier = AuditChain.Verifier(using: mac)
        var broken: AuditChain.Verdict?
        try forEachAuditEvent { row in
            broken = verifier.check(row)
            return broken == nil
        }
        return try broken ?? verifier.finish(head: auditHeadRecord())
    }

    /// Every account, in listing order: for the few reads that need all of them at once.
    public func accountInfos() throws -> [AccountInfo] { try accountInfos(ids: accountIDs(after: nil, limit: .max)) }

    public func accountInfos(only id: AuthID) throws -> [AccountInfo] { try accountInfos(ids: [id]) }

    /// Appends `event` to the chain and moves the authenticated head, in this transaction.
    public func appendAudit(_ event: AuditEvent, using mac: some AuditChain.AuditMAC) throws {
        try appendAudit([event], using: mac, afterEach: nil)
    }

    public func appendAudit(_ events: [AuditEvent], using mac: some AuditChain.AuditMAC) throws {
        try appendAudit(events, using: mac, afterEach: nil)
    }
}
