import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// The vault: Core rules over the Store, with secrets opened by Crypto. The CLI (offline) and
/// the daemon call the same methods, so both paths behave alike.
public actor VaultService {
    public nonisolated let config: VaultConfig
    /// Where the actor runs: the daemon's event loop, or a private queue.
    public nonisolated let executor: any SerialExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let directory: StateDirectory
    var store: any VaultStorage
    /// The fleet's PostgreSQL store, or nil when the vault is this host's own.
    var sharedStore: PostgresStore? { store as? PostgresStore }
    var keyring: Keyring
    let lock: StateLock
    public nonisolated let clock: VaultClock

    // The request path's components, each the one owner of its state.
    /// The policy in force and each grant's rate.
    var authorizer: Authorizer
    /// The key that signs sealed headers and the check of those the proxy is shown.
    var signatures = SealedSignatures()
    var auditLog: AuditLog
    /// The credentials requests have used, read one at a time; emptied after any write.
    var credentialCache = CredentialCache()
    var tokenCache = TokenCache()
    /// The upstream origin, parsed once (`[upstream] base_url` is validated at load).
    let upstream: Result<Upstream, ScopeError>
    /// What refusals of the TCP listener's unauthenticated requests may cost (audit rows, rate).
    var refusalBudget = RefusalBudget()
    var callbackVerifier = CallbackVerifier()
    /// The Vobiz API client the vault calls with itself (`attach(upstream:)`).
    var upstreamClient: UpstreamClient?
    var jwtSessions = JWTSessions()
    /// Listings and tallies, on a connection of their own.
    nonisolated let longReads: LongReads
    /// A checkpoint a long read held off (see `checkpoint()`).
    var checkpointOwed = false
    /// The last change of a shared store this host has applied (nil before the first look).
    var changeSeq: Int64?
    /// When this host last marked itself seen in a shared store.
    var fleetSeenAt: Int64 = 0

    init(config: VaultConfig, directory: StateDirectory, store: any VaultStorage, keys: VaultKeys?, masterKey: SecureBytes?,
         lock: StateLock, clock: VaultClock, executor: (any SerialExecutor)? = nil) {
        self.executor = executor ?? QueueExecutor()
        self.config = config
        self.directory = directory
        self.store = store
        longReads = LongReads(origin: store)
        keyring = Keyring(keys: keys, masterKey: masterKey)
        self.lock = lock
        self.clock = clock
        authorizer = Authorizer(policy: config.policy)
        // A commit to a shared store that hangs is the store out of reach, as one that fails.
        auditLog = AuditLog(durability: config.audit.durability, stallMillis: store is PostgresStore ? 1000 : nil)
        upstream = Result { () throws(ScopeError) in try Upstream(baseURL: config.upstream.baseURL) }
    }

    deinit { longReads.close() }

    /// Whether this instance holds the data key (commands that change or open secrets need it).
    public var isUnlocked: Bool { keyring.isUnlocked }

    /// The data key's derived keys, nil while sealed.
    var keys: VaultKeys? { keyring.keys }

    var now: Int64 { clock.seconds }

    func requireKeys() throws(ServiceError) -> VaultKeys { try keyring.require() }

    /// Runs `body` in one write transaction, mapping store errors to service errors. Any
    /// write may change a credential, so the in-memory credential cache is dropped.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws(ServiceError) -> T {
        credentialCache.removeAll()
        tokenCache.removeAll()
        do { return try store.write(body) } catch { throw Self.map(error) }
    }

    func read<T>(_ body: (any StoreTransaction) throws -> T) throws(ServiceError) -> T {
        do { return try store.read(body) } catch { throw Self.map(error) }
    }

    static func map(_ error: any Error) -> ServiceError {
        switch error {
        case let e as ServiceError: e
        case let e as StoreError:
            e.isUnreachable ? .storeUnavailable(e.description) : .store(e.description)
        case let e as CryptoError: .crypto(e.description)
        case let e as CoreError: .invalidInput(e.description)
        default: .store("\(error)")
        }
    }

    /// Appends an audit row in the transaction `tx` (`Books.audit`; needs the key).
    func audit(_ tx: any StoreTransaction, op: String, actor: ActorIdentity, authID: AuthID? = nil, version: Int64? = nil,
               outcome: AuditEvent.Outcome = .ok, reason: String? = nil, detail: [String: any Sendable] = [:]) throws {
        try writingBooks().audit(tx, op: op, actor: actor, authID: authID, version: version, outcome: outcome, reason: reason,
                                 detail: detail)
    }

    /// Resolves `partner` to the partner's auth id; anything else must be a valid auth id.
    func resolve(_ name: String, in tx: any StoreTransaction) throws -> AccountRecord {
        try Books.resolve(name, in: tx)
    }

    public func resolveAuthID(_ name: String) throws(ServiceError) -> AuthID {
        try read { tx in try AuthID(try resolve(name, in: tx).authID) }
    }
}
