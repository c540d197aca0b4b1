import Foundation
import VaultCore
import VaultCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The master key file: 32 random bytes, stored as 44 characters of base64 (raw 32-byte and
/// 64-hex-digit files are read too). It must be a regular file owned by this user that no one
/// else can read.
public enum KeyFile {
    public static let keyLength = 32

    /// Reads and checks `path`.
    public static func read(_ path: String) throws(ServiceError) -> SecureBytes {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw .keyFile(path: path, problem: errno == ELOOP ? "is a symlink; refused" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw .keyFile(path: path, problem: "is not a regular file") }
        guard st.st_uid == geteuid() else {
            throw .keyFile(path: path, problem: "is owned by uid \(st.st_uid); it must belong to the vault's user (uid \(geteuid()))")
        }
        guard st.st_mode & 0o777 == 0o400 || st.st_mode & 0o777 == 0o600 else {
            throw .keyFile(path: path, problem: String(format: "is mode %04o; group and others must have no access (fix: chmod 400 %@)", st.st_mode & 0o7777, path))
        }
        let raw: SecureBytes
        do { raw = try SecureBytes(count: 128) } catch { throw .crypto(error.description) }
        let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw .keyFile(path: path, problem: String(cString: strerror(errno))) }
        return try decode(raw, length: n, path: path)
    }

    /// Creates `path` with a fresh random key, mode 0400, refusing to replace an existing file.
    public static func generate(_ path: String) throws(ServiceError) -> SecureBytes {
        let key: SecureBytes
        let text: SecureBytes
        do {
            key = try SecureBytes.random(count: keyLength)
            text = try SecureBytes(count: 45)
        } catch { throw .crypto(error.description) }
        text.withUnsafeMutableBytes { out in
            _ = key.withUnsafeBytes { k in SecretCodec.encodeBase64(k, into: out) }
            out[44] = 0x0A
        }
        let fd: Int32
        switch NewFile.create(path, mode: 0o400) {
        case .success(let d): fd = d
        case .failure(let refused): throw .keyFile(path: path, problem: refused.description)
        }
        defer { close(fd) }
        guard text.withUnsafeBytes({ NewFile.writeAll(fd, $0) }) else {
            unlink(path)
            throw .keyFile(path: path, problem: "cannot write: \(String(cString: strerror(errno)))")
        }
        return key
    }

    /// Reads `path` when something is there, else creates it with a fresh key (`init`,
    /// `rekey --new-key-file`). A dangling symlink counts as something: it is refused.
    public static func readOrGenerate(_ path: String) throws(ServiceError) -> SecureBytes {
        var st = stat()
        return lstat(path, &st) == 0 ? try read(path) : try generate(path)
    }

    /// A key given as input rather than as a file (`rekey --new-key-stdin`), in any of the
    /// forms a key file may hold.
    /// `source` says where the key came from, for the error (`on standard input`, `in new_key`).
    public static func fromInput(_ raw: SecureBytes, source: String = "on standard input") throws(ServiceError) -> SecureBytes {
        try decode(raw, length: raw.count, bad: .invalidInput("the new master key \(source) " + formats))
    }

    static let formats = "must hold 32 bytes: raw, 44 base64 characters or 64 hex digits"

    /// Accepts 32 raw bytes, or base64 / hex text with an optional trailing newline.
    static func decode(_ raw: SecureBytes, length n: Int, path: String) throws(ServiceError) -> SecureBytes {
        try decode(raw, length: n, bad: .keyFile(path: path, problem: formats))
    }

    static func decode(_ raw: SecureBytes, length n: Int, bad: ServiceError) throws(ServiceError) -> SecureBytes {
        guard n <= raw.count else { throw bad }
        do {
            let key = try SecureBytes(count: keyLength)
            let ok: Bool = raw.withUnsafeBytes { r in
                key.withUnsafeMutableBytes { k in
                    if n == keyLength {
                        k.copyMemory(from: UnsafeRawBufferPointer(rebasing: r[0..<n]))
                        return true
                    }
                    var len = n
                    while len > 0, r[len - 1] == 0x0A || r[len - 1] == 0x0D { len -= 1 }
                    let text = UnsafeRawBufferPointer(rebasing: r[0..<len])
                    if len == 44 { return SecretCodec.decodeBase64(text, into: k) == keyLength }
                    if len == 64 { return SecretCodec.decodeHex(text, into: k) == keyLength }
                    return false
                }
            }
            guard ok else { throw bad }
            return key
        } catch let e as ServiceError {
            throw e
        } catch {
            throw .crypto("\(error)")
        }
    }
}
