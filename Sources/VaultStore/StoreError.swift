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

    public var description: String {
        switch self {
        case .notAVault(let p): "no vault at \(p) (run `vobiz-vault init` first, or check --state-dir)"
        case .alreadyExists(let p): "a vault already exists at \(p); refusing to overwrite it"
        case .cannotOpen(let p, let r): "cannot open vault database \(p): \(r)"
        case .newerFormat(let f, let s): "vault format \(f) is newer than this binary supports (\(s)); upgrade vobiz-vault"
        case .missingMeta: "vault database has no metadata row: it is damaged or not a vobiz-vault database"
        case .constraint(let m): "the store refused the change: \(m)"
        case .io(let m): "storage error: \(m)"
        case .checkpointBusy: "the write-ahead log is being read (a listing or an audit verify); the checkpoint is tried again shortly"
        }
    }
}
