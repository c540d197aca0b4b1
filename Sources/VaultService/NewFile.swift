#if canImport(Glibc)
import Glibc
#endif

/// Creating a file at a path an operator named (a key file, a backup, its manifest). The path
/// may lie in a directory someone else can write to, so the file is created only if nothing is
/// there, never through a symlink (a dangling one would otherwise create the file at its
/// target, as the vault's user), and every later write goes through the descriptor, never the
/// path again.
public enum NewFile {
    /// A new file's descriptor (write-only, close-on-exec), or the reason it was not created.
    public static func create(_ path: String, mode: mode_t) -> Result<Int32, Refused> {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { return .failure(Refused(errno: errno)) }
        return .success(fd)
    }

    /// Why a file was not created, in words for the operator.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public let errno: Int32

        public var description: String {
            switch errno {
            // O_EXCL fails on any existing name, a symlink (dangling or not) included.
            case EEXIST: "already exists (a file, a directory or a symlink); it is never replaced"
            case ELOOP: "is a symlink; refused"
            default: "cannot be created: \(String(cString: strerror(errno)))"
            }
        }
    }

    /// Writes all of `bytes` to `fd` and syncs it; false on any error.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return fsync(fd) == 0
    }
}
