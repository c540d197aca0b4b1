import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The vault's state directory and its lock. The directory must belong to us and must not be
/// writable by anyone else: the database, its WAL and the lock live there.
public struct StateDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var databasePath: String { path + "/vault.db" }
    public var lockPath: String { path + "/vault.lock" }

    /// Creates the directory with mode 0700 if missing; otherwise checks it.
    public func prepare() throws(ServiceError) {
        if mkdir(path, 0o700) == 0 { return }
        guard errno == EEXIST else { throw .stateDirectory(path: path, problem: "cannot create: \(String(cString: strerror(errno)))") }
        try check()
    }

    /// Refuses a symlink, a directory owned by another user, or one others may write to.
    public func check() throws(ServiceError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw .stateDirectory(path: path, problem: errno == ENOENT
                ? "does not exist (run `vobiz-vault init` first, or check --state-dir)"
                : String(cString: strerror(errno)))
        }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw .stateDirectory(path: path, problem: "is not a directory (symlinks are refused)") }
        guard st.st_uid == geteuid() else {
            throw .stateDirectory(path: path, problem: "is owned by uid \(st.st_uid), not by this user (uid \(geteuid()))")
        }
        guard st.st_mode & 0o022 == 0 else {
            throw .stateDirectory(path: path, problem: String(format: "is mode %04o; others may write to it (fix: chmod 700 %@)", st.st_mode & 0o7777, path))
        }
    }

    /// Takes the state lock: exclusive for the daemon, shared for offline commands. A daemon
    /// holding it makes offline commands fail instead of writing beside it.
    public func lock(exclusive: Bool) throws(ServiceError) -> StateLock {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .stateDirectory(path: path, problem: "cannot open lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(fd)
            throw .daemonRunning(lockPath: lockPath)
        }
        return StateLock(fd: fd)
    }
}

/// A held flock on `vault.lock`, released when this value is released or the process exits.
public final class StateLock: Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    /// Turns an exclusive lock into a shared one (after `init`, which needs the vault to itself).
    func downgrade() { _ = flock(fd, LOCK_SH) }
    deinit { close(fd) }
}
