import Foundation
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// Creating the socket directory and placing a socket in it safely (Docs/threat-model.md): the directory
/// is created by us with the configured mode; a directory or socket path owned by someone
/// else, or a symlink, is refused rather than unlinked or chmod-ed, and so is an existing
/// directory others may write to (without the sticky bit).
enum SocketPaths {
    enum Failure: Error, CustomStringConvertible {
        case refused(String)

        var description: String {
            switch self {
            case .refused(let why): why
            }
        }
    }

    /// Ensures the parent directory of `socket` exists, is a real directory and is ours.
    static func prepareDirectory(for socket: String, mode: mode_t, group: String?) throws {
        let dir = (socket as NSString).deletingLastPathComponent
        if mkdir(dir, mode) == 0 {
            // The group class of the directory is the client group, so its members can reach the socket.
            if let group, let gid = gid(of: group) { _ = chown(dir, geteuid(), gid) }
            chmod(dir, mode)
            return
        }
        guard errno == EEXIST else { throw Failure.refused("cannot create socket directory \(dir): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard lstat(dir, &st) == 0 else { throw Failure.refused("cannot inspect \(dir)") }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure.refused("socket directory \(dir) is not a directory (symlinks are refused)") }
        guard st.st_uid == geteuid() || (st.st_uid == 0 && st.st_mode & 0o022 == 0) else {
            throw Failure.refused("socket directory \(dir) is owned by uid \(st.st_uid); refusing to use it")
        }
        // Whoever can write the directory can replace the socket with one of their own, unless
        // the sticky bit (0o1000) keeps them from removing or renaming entries they do not own.
        let mode = st.st_mode & 0o7777
        guard mode & 0o022 == 0 || mode & 0o1000 != 0 else {
            throw Failure.refused("socket directory \(dir) is writable by its group or others (mode \(String(mode, radix: 8))), "
                                  + "so anyone there could replace the socket; run `chmod go-w \(dir)` or remove it and the daemon creates it")
        }
    }

    /// Removes a stale socket of ours at `path`; refuses anything else there.
    static func clearStale(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else { throw Failure.refused("\(path) exists and is not a socket; refusing to replace it") }
        guard st.st_uid == geteuid() else { throw Failure.refused("\(path) is owned by uid \(st.st_uid); refusing to replace it") }
        if isLive(path) { throw Failure.refused("another daemon is answering on \(path)") }
        unlink(path)
    }

    /// Whether something accepts connections at `path`.
    static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// Sets mode and group of a freshly bound socket.
    static func secure(_ path: String, mode: mode_t, group: String?) throws {
        if let group {
            guard let gid = gid(of: group) else {
                throw Failure.refused("group \(group) does not exist; create it or set [sockets] client_group / admin_group")
            }
            guard chown(path, geteuid(), gid) == 0 else { throw Failure.refused("cannot give \(path) to group \(group): \(String(cString: strerror(errno)))") }
        }
        guard chmod(path, mode) == 0 else { throw Failure.refused("cannot chmod \(path)") }
    }

    static func gid(of group: String) -> gid_t? { SystemUsers.gid(of: group) }

    /// Search permission on the directory for the classes that may use the socket.
    static func directoryMode(for socketMode: mode_t) -> mode_t {
        var m: mode_t = 0o700
        if socketMode & 0o060 != 0 { m |= 0o050 }
        return m
    }
}
