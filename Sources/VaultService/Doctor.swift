import Foundation
import VaultCore
import VaultStore
#if canImport(Glibc)
import Glibc
#endif

/// `vobiz-vault doctor`: the checks an operator would make by hand, each problem with the
/// command that fixes it.
public enum Doctor {
    public struct Problem: Sendable, Equatable {
        public let check: String
        public let problem: String
        public let fix: String
    }

    /// Runs every check. `configError` is why the configuration did not load (then `config` is
    /// the defaults plus the command-line overrides).
    public static func run(config: VaultConfig, configPath: String, configError: String?) -> [Problem] {
        var out: [Problem] = []
        if let configError {
            out.append(Problem(check: "config", problem: "\(configPath) does not load: \(configError)",
                               fix: "edit \(configPath); then `vobiz-vault policy check` (a running daemon keeps its last good policy)"))
        } else if FileManager.default.fileExists(atPath: configPath) {
            out += file(configPath, what: "config", maxMode: 0o644, owner: nil)
        }
        let owner = expectedOwner(config)
        out += stateDirectory(config, owner: owner)
        if let key = config.vault.keyFile {
            if FileManager.default.fileExists(atPath: key) {
                out += file(key, what: "key file", maxMode: 0o600, owner: owner, fixMode: "400")
            } else {
                out.append(Problem(check: "key file", problem: "\(key) does not exist",
                                   fix: "restore it from your key escrow, or point [vault] key_file at it"))
            }
        }
        out += sockets(config, owner: owner)
        if configError == nil { out += policy(config) }
        return out
    }

    /// The daemon's user: `[sockets] daemon_user`, else whoever runs this.
    static func expectedOwner(_ config: VaultConfig) -> (uid: UInt32, name: String) {
        if let u = config.sockets.daemonUser, let uid = SystemUsers.uid(of: u) { return (uid, u) }
        let uid = geteuid()
        return (uid, SystemUsers.name(of: uid) ?? String(uid))
    }

    static func stateDirectory(_ config: VaultConfig, owner: (uid: UInt32, name: String)) -> [Problem] {
        let dir = config.vault.stateDir
        var st = stat()
        guard lstat(dir, &st) == 0 else {
            return [Problem(check: "state directory", problem: "\(dir) does not exist", fix: "vobiz-vault init --state-dir \(dir)")]
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            return [Problem(check: "state directory", problem: "\(dir) is not a directory (a symlink?)",
                            fix: "replace it with a real directory: mkdir -m 700 \(dir) and restore the vault into it")]
        }
        var out: [Problem] = []
        if st.st_uid != owner.uid {
            out.append(Problem(check: "state directory", problem: "\(dir) is owned by uid \(st.st_uid), not by \(owner.name)",
                               fix: "chown -R \(owner.name): \(dir)"))
        }
        if st.st_mode & 0o077 != 0 {
            out.append(Problem(check: "state directory", problem: String(format: "%@ is mode %04o; only its owner may use it", dir, st.st_mode & 0o7777),
                               fix: "chmod 700 \(dir)"))
        }
        for name in ["vault.db", "vault.db-wal", "vault.db-shm", "vault.lock"] where FileManager.default.fileExists(atPath: dir + "/" + name) {
            out += file(dir + "/" + name, what: "database file", maxMode: 0o600, owner: owner)
        }
        if !FileManager.default.fileExists(atPath: dir + "/vault.db") {
            out.append(Problem(check: "state directory", problem: "\(dir) holds no vault.db", fix: "vobiz-vault init, or vobiz-vault restore --from BACKUP"))
        }
        return out
    }

    /// A regular file (not a symlink), owned by `owner` (when given), with no mode bits beyond `maxMode`.
    static func file(_ path: String, what: String, maxMode: mode_t, owner: (uid: UInt32, name: String)?, fixMode: String? = nil) -> [Problem] {
        var st = stat()
        guard lstat(path, &st) == 0 else { return [] }
        guard st.st_mode & S_IFMT == S_IFREG else {
            return [Problem(check: what, problem: "\(path) is not a regular file (a symlink?)", fix: "replace it with the file itself")]
        }
        var out: [Problem] = []
        if st.st_mode & ~maxMode & 0o777 != 0 {
            out.append(Problem(check: what, problem: String(format: "%@ is mode %04o; at most %04o", path, st.st_mode & 0o7777, maxMode),
                               fix: "chmod \(fixMode ?? String(maxMode, radix: 8)) \(path)"))
        }
        if let owner, st.st_uid != owner.uid {
            out.append(Problem(check: what, problem: "\(path) is owned by uid \(st.st_uid), not by \(owner.name)", fix: "chown \(owner.name) \(path)"))
        }
        return out
    }

    static func sockets(_ config: VaultConfig, owner: (uid: UInt32, name: String)) -> [Problem] {
        var out: [Problem] = []
        var seen = Set<String>()
        for socket in [config.sockets.client, config.sockets.admin] {
            let dir = (socket as NSString).deletingLastPathComponent
            if seen.insert(dir).inserted {
                var st = stat()
                if lstat(dir, &st) == 0 {
                    if st.st_mode & S_IFMT != S_IFDIR {
                        out.append(Problem(check: "socket directory", problem: "\(dir) is not a directory (a symlink?)", fix: "rm \(dir); the daemon creates it"))
                    } else if st.st_uid != owner.uid && st.st_uid != 0 {
                        out.append(Problem(check: "socket directory", problem: "\(dir) is owned by uid \(st.st_uid), not by \(owner.name) (the daemon refuses it)",
                                           fix: "chown \(owner.name) \(dir) (or remove it and let the daemon create it)"))
                    } else if st.st_mode & 0o022 != 0 && st.st_mode & 0o1000 == 0 {
                        // As the daemon decides: others could replace the socket (no sticky bit).
                        out.append(Problem(check: "socket directory", problem: "\(dir) is writable by its group or others (the daemon refuses it)",
                                           fix: "chmod go-w \(dir)"))
                    }
                }
            }
            var st = stat()
            if lstat(socket, &st) == 0, st.st_mode & S_IFMT != S_IFSOCK {
                out.append(Problem(check: "socket", problem: "\(socket) exists and is not a socket", fix: "rm \(socket)"))
            }
        }
        if SystemUsers.gid(of: config.sockets.clientGroup) == nil {
            out.append(Problem(check: "socket", problem: "the client group \(config.sockets.clientGroup) does not exist",
                               fix: "groupadd --system \(config.sockets.clientGroup)"))
        }
        return out
    }

    /// Grants that can never apply: a credential the vault does not hold, a caller outside the
    /// client socket's group (who cannot even connect).
    static func policy(_ config: VaultConfig) -> [Problem] {
        var out: [Problem] = []
        let held: Set<String>? = {
            guard let store = try? SQLiteStore.open(at: StateDirectory(config.vault.stateDir).databasePath, readOnly: true) else { return nil }
            defer { store.close() }
            return try? store.read { tx in Set(try tx.accounts().map(\.authID)) }
        }()
        let clientGID = SystemUsers.gid(of: config.sockets.clientGroup)
        for g in config.grants {
            if let held {
                for case .customer(let id) in g.credentials where !held.contains(id.rawValue) {
                    out.append(Problem(check: "policy", problem: "grant \(g.name) names \(id), which this vault does not hold",
                                       fix: "import \(id) (vobiz-vault import), or remove it from the grant"))
                }
                if g.credentials.contains(.partner), !held.contains(where: { $0.hasPrefix("PA_") }) {
                    out.append(Problem(check: "policy", problem: "grant \(g.name) names the partner, and this vault holds none",
                                       fix: "vobiz-vault import the partner credential"))
                }
            }
            for uid in g.uids ?? [] where uid != 0 {
                guard let clientGID, let name = SystemUsers.name(of: uid) else { continue }
                if !groups(of: name, uid: uid).contains(clientGID) {
                    out.append(Problem(check: "policy", problem: "grant \(g.name) allows \(name), who is not in \(config.sockets.clientGroup) and cannot open the client socket",
                                       fix: "usermod -aG \(config.sockets.clientGroup) \(name)"))
                }
            }
        }
        return out
    }

    static func groups(of user: String, uid: UInt32) -> Set<UInt32> {
        guard let primary = SystemUsers.primaryGID(of: uid) else { return [] }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primary, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, primary, &list, &count)
        }
        return Set(list.prefix(Int(max(0, count))))
    }
}
