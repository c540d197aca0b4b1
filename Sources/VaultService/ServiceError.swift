import VaultCore

/// Why a vault operation was refused. Each message says what to do next and never carries a
/// secret value.
public enum ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongMasterKey
    case masterKeyRequired(kind: String)
    case masterKeyKindMismatch(vaultUses: String)
    case keyFile(path: String, problem: String)
    case stateDirectory(path: String, problem: String)
    case daemonRunning(lockPath: String)
    case unknownCredential(String)
    case noPartner
    case secondPartner(existing: String)
    case differentToken(String)
    case sameToken(String)
    case noPreviousVersion(String)
    case noActiveVersion(String)
    case tampered(String)
    case auditBroken(String)
    case invalidInput(String)
    case store(String)
    case crypto(String)
    /// `rotate --verify`: Vobiz refused the new token, or gave no usable answer.
    case verifyFailed(String)
    /// `jwt login`: Vobiz refused the login, or did not answer.
    case loginFailed(String)
    /// No key slot of that name in the fleet.
    case unknownHost(String)
    /// The fleet's hosts are not in the state the change needs (already a member, say).
    case fleetConflict(String)
    /// The shared store (PostgreSQL) cannot be reached: nothing was done; try again shortly.
    case storeUnavailable(String)
    /// `store migrate`: the target holds something already; nothing was copied or changed.
    case targetNotEmpty(target: String, holds: String)
    /// `reload`: the configuration file does not load; the policy in force stays.
    case configInvalid(String)

    public var description: String {
        switch self {
        case .wrongMasterKey: "master key does not open this vault"
        case .masterKeyRequired(let kind): "this command needs the master key: \(kind)"
        case .masterKeyKindMismatch(let k): "this vault is protected by a \(k); supply that instead"
        case .keyFile(let p, let why): "key file \(p): \(why)"
        case .stateDirectory(let p, let why): "state directory \(p): \(why)"
        case .daemonRunning(let lock): "a vobiz-vault daemon holds \(lock); run admin commands through it or stop it first"
        case .unknownCredential(let id): "no credential \(id) in this vault (see `vobiz-vault list`)"
        case .noPartner: "this vault holds no partner credential"
        case .secondPartner(let p): "this vault already holds partner credential \(p); a vault holds one partner"
        case .differentToken(let id): "\(id) is already in the vault with a different token; use `vobiz-vault rotate \(id)` to replace it"
        case .sameToken(let id): "the new token for \(id) is the one already active; nothing to rotate"
        case .noPreviousVersion(let id): "\(id) has no previous version within its grace period to roll back to"
        case .noActiveVersion(let id): "\(id) has no active token version"
        case .tampered(let what): "\(what) does not open with this vault's key: the row was altered or moved; restore it from a backup"
        case .auditBroken(let why): "audit chain is broken (\(why)); investigate with `vobiz-vault audit verify` before this change"
        case .invalidInput(let why): why
        case .store(let why): why
        case .crypto(let why): why
        case .verifyFailed(let why): why
        case .loginFailed(let why): why
        case .unknownHost(let h): "no host \(h) in the fleet (see `vobiz-vault fleet list`)"
        case .fleetConflict(let why): why
        case .storeUnavailable(let why): why
        case .targetNotEmpty(let t, let holds):
            "\(t) \(holds); `store migrate` copies only into an empty PostgreSQL database or a new SQLite file, and changed nothing"
        case .configInvalid(let why): "the configuration was not reloaded, the policy in force is unchanged: \(why)"
        }
    }
}

extension ServiceError {
    /// The problem type the admin API answers this error with.
    public var problem: ProblemType {
        switch self {
        case .unknownCredential, .noPartner: .unknownCredential
        case .secondPartner, .differentToken, .sameToken, .noPreviousVersion, .noActiveVersion, .auditBroken, .daemonRunning: .conflict
        case .invalidInput, .keyFile, .masterKeyKindMismatch: .badRequest
        case .masterKeyRequired, .wrongMasterKey: .sealed
        case .verifyFailed: .verifyFailed
        case .loginFailed: .upstreamUnavailable
        case .unknownHost: .notFound
        case .fleetConflict, .targetNotEmpty: .conflict
        case .storeUnavailable: .storeUnavailable
        case .configInvalid: .configInvalid
        case .tampered, .stateDirectory, .store, .crypto: .internal
        }
    }
}
