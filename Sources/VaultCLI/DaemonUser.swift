import VaultCore
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// The uid the daemon runs as, for the client's `SO_PEERCRED` check: `[sockets] daemon_user`
/// when set, else the owner of the state directory (the daemon is the one that holds it).
enum DaemonUser {
    static func uid(_ config: VaultConfig, stateDir: String) throws -> uid_t {
        if let user = config.sockets.daemonUser {
            if let n = UInt32(user) { return n }
            guard let uid = SystemUsers.uid(of: user) else { throw CLIError.usage("[sockets] daemon_user \(user) does not exist") }
            return uid
        }
        var st = stat()
        // lstat, as the vault's own check: a symlink names no owner.
        guard lstat(stateDir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw CLIError.usage("cannot tell which user runs the daemon (stat \(stateDir) failed); set [sockets] daemon_user")
        }
        return st.st_uid
    }
}
