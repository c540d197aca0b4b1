import Foundation
import VaultCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Reads secrets from file descriptors, files and the terminal straight into locked memory.
enum SecretReader {
    /// Reads `fd` to end of file. Fails past `limit` bytes instead of truncating.
    static func readAll(fd: Int32, limit: Int) throws -> SecureBytes {
        var buffer = try SecureBytes(count: min(4096, limit))
        var used = 0
        while true {
            if used == buffer.count {
                guard buffer.count < limit else {
                    // One more byte means the input is over the limit.
                    var probe: UInt8 = 0
                    if Glibc.read(fd, &probe, 1) > 0 { throw CLIError.inputTooLarge(limit: limit) }
                    return buffer
                }
                let bigger = try SecureBytes(count: min(buffer.count * 2, limit))
                bigger.withUnsafeMutableBytes { dst in buffer.withUnsafeBytes { dst.copyMemory(from: $0) } }
                buffer = bigger
            }
            let n = buffer.withUnsafeMutableBytes { b in Glibc.read(fd, b.baseAddress! + used, b.count - used) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError.io("cannot read input: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return try buffer.prefix(used) }
            used += n
        }
    }

    /// Reads a secret file that only its owner may read (mode 0600 or 0400, owned by us).
    /// `-` is standard input (as the command's console has it), whatever it is: a pipe or a
    /// redirected file of anyone's is the caller's to give.
    static func readFile(_ path: String, limit: Int, what: String) throws -> SecureBytes {
        if path == "-" {
            // Typed at a terminal it would echo: the prompt (leaving the option out) does not.
            guard !Console.current.standardInputIsTerminal() else {
                throw CLIError.usage("standard input is a terminal: leave out the \(what) option to be asked without echo, or pipe the \(what) in")
            }
            return try Console.current.readStandardInput(limit)
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.io("cannot open \(what) \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw CLIError.io("\(what) \(path) is not a regular file") }
        guard st.st_uid == geteuid(), st.st_mode & 0o077 == 0 else {
            throw CLIError.io(String(format: "%@ %@ must be owned by you and readable by no one else (it is uid %d, mode %04o; fix: chmod 600 %@)",
                                     what, path, st.st_uid, st.st_mode & 0o7777, path))
        }
        return try readAll(fd: fd, limit: limit)
    }

    /// Prompts on /dev/tty with echo off and reads one line.
    static func prompt(_ text: String) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.noTerminal }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw CLIError.noTerminal }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        // Echo goes off (and earlier typeahead is discarded) before the prompt appears, so
        // whatever is typed after it is neither shown nor lost.
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { throw CLIError.noTerminal }
        defer { _ = tcsetattr(fd, TCSADRAIN, &saved) }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        let line = try SecureBytes(count: 1024)
        var used = 0
        while used < line.count {
            var c: UInt8 = 0
            let n = Glibc.read(fd, &c, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 || c == 0x0A { break }
            line.withUnsafeMutableBytes { $0[used] = c }
            used += 1
            c = 0
        }
        return try trimmingLineEnd(line, count: used)
    }

    /// Drops one trailing newline (and a CR before it): a token is the whole input otherwise.
    static func trimmingLineEnd(_ s: SecureBytes, count: Int? = nil) throws -> SecureBytes {
        var n = count ?? s.count
        s.withUnsafeBytes { b in
            if n > 0, b[n - 1] == 0x0A { n -= 1 }
            if n > 0, b[n - 1] == 0x0D { n -= 1 }
        }
        return try s.prefix(n)
    }

    /// The first line of a secret input (for passphrase files).
    static func firstLine(_ s: SecureBytes) throws -> SecureBytes {
        let n = s.withUnsafeBytes { b in b.firstIndex(of: 0x0A) ?? b.count }
        return try trimmingLineEnd(s.prefix(n))
    }
}
