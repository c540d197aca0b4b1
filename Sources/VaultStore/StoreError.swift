/// Storage failures, phrased for an operator.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAVault(path: String)
    case alreadyExists(path: String)
    case cannotOpen(path: String, reason: String)
    case newerFormat(found: Int, supported: Int)
    case missingMeta
    case constraint(String)
    case io(String)
    /// A checkpoint found the log still being read (a listing, a verify) and did not wait.
    case checkpointBusy
    /// The shared store (PostgreSQL) cannot be reached now; nothing was written. Transient.
    case unavailable(String)
    /// The connection to the shared store was lost while it committed: the change may or may
    /// not have been made. Transient, but not to be retried blindly.
    case commitUnknown(String)
    /// This host has no active key slot in the shared store: it has not joined the fleet.
    case noKeySlot(host: String)
    /// This host's key slot holds an earlier data key (another host ran `rekey --data-key`).
    case staleKeySlot(host: String)

    /// The shared store could not be reached, or not to the end: a request waits and retries
    /// (503 `store_unavailable`) rather than counting it as the store's refusal.
    public var isUnreachable: Bool {
        switch self {
        case .unavailable, .commitUnknown: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notAVault(let p): "no vault at \(p) (run `vobiz-vault init` first, or check --state-dir)"
        case .alreadyExists(let p): "a vault already exists at \(p); refusing to overwrite it"
        case .cannotOpen(let p, let r): "cannot open vault database \(p): \(r)"
        case .newerFormat(let f, let s): "vault format \(f) is newer than this binary supports (\(s)); upgrade vobiz-vault"
        case .missingMeta: "vault database has no metadata row: it is damaged or not a vobiz-vault database"
        case .constraint(let m): "the store refused the change: \(m)"
        case .io(let m): "storage error: \(m)"
        case .unavailable(let m): "the PostgreSQL store cannot be reached (\(m)); nothing was changed, try again shortly"
        case .commitUnknown(let m): "the connection to PostgreSQL was lost while committing (\(m)): the change may or may not have been made; look (`show`, `list`, `audit tail`) before trying again"
        case .noKeySlot(let h): "this host (\(h)) has no key slot in the fleet's store: run `vobiz-vault fleet join` here and `fleet admit` on a member"
        case .staleKeySlot(let h): "this host's key slot (\(h)) holds an earlier data key: run `vobiz-vault fleet join` on this host to take the new one a rekey sealed to it (if it missed more than one rekey, `fleet remove \(h)` on a member and join again)"
        case .checkpointBusy: "the write-ahead log is being read (a listing or an audit verify); the checkpoint is tried again shortly"
        }
    }
}
