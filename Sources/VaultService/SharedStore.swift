import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VaultCore
import VaultStore

/// The PostgreSQL store of a fleet as `[store]` and `[fleet]` describe it: where the server is,
/// the password from its file (never from the config), and this host's name.
enum SharedStore {
    static func connect(_ config: VaultConfig) throws(ServiceError) -> PostgresStore {
        PostgresStore.connect(try settings(config))
    }

    static func settings(_ config: VaultConfig) throws(ServiceError) -> PostgresSettings {
        let s = config.store
        guard let url = s.url else { throw .invalidInput("[store] backend = \"postgres\" needs [store] url") }
        return PostgresSettings(url: url, password: try password(s), tls: PostgresSettings.TLS(rawValue: s.tls.rawValue) ?? .verifyFull,
                                caFile: s.caFile, poolSize: s.poolSize, host: try host(config).name)
    }

    /// `[fleet] host`, else the machine's host name up to its first dot.
    static func host(_ config: VaultConfig) throws(ServiceError) -> FleetHost {
        let name: String
        if let h = config.fleet.host {
            name = h
        } else {
            var buf = [CChar](repeating: 0, count: 256)
            guard gethostname(&buf, buf.count - 1) == 0 else { throw .invalidInput("cannot read the host name; set [fleet] host") }
            name = String(String(cString: buf).prefix { $0 != "." })
        }
        do throws(CoreError) { return try FleetHost(name) } catch {
            throw .invalidInput("\(error.description); set [fleet] host in the config")
        }
    }

    /// `[store] password_file`, else the `pg-password` systemd credential, else none
    /// (`readPassword`).
    static func password(_ s: VaultConfig.Store) throws(ServiceError) -> String? {
        let path: String
        if let p = s.passwordFile {
            path = p
        } else if let dir = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty,
                  FileManager.default.fileExists(atPath: dir + "/pg-password") {
            path = dir + "/pg-password"
        } else {
            return nil
        }
        return try readPassword(at: path)
    }

    /// The password in the file at `path`: a regular file of this user that no one else can
    /// read (0400 or 0600), its trailing newline dropped.
    static func readPassword(at path: String) throws(ServiceError) -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .invalidInput("cannot open the PostgreSQL password file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw .invalidInput("\(path) is not a regular file") }
        guard st.st_mode & 0o077 == 0 else {
            throw .invalidInput(String(format: "the PostgreSQL password file %@ is mode %04o; make it 0400 or 0600 (chmod 600 %@)",
                                       path, st.st_mode & 0o7777, path))
        }
        guard st.st_uid == geteuid() else { throw .invalidInput("the PostgreSQL password file \(path) belongs to uid \(st.st_uid), not to this user") }
        var bytes = [UInt8](repeating: 0, count: 4097)
        let n = read(fd, &bytes, bytes.count)
        defer { bytes.withUnsafeMutableBytes { p in if let b = p.baseAddress { _ = memset(b, 0, p.count) } } }
        guard n > 0, n < bytes.count else { throw .invalidInput("the PostgreSQL password file \(path) is empty or longer than 4096 bytes") }
        var end = n
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        guard end > 0, !bytes[0..<end].contains(0) else { throw .invalidInput("the PostgreSQL password file \(path) holds no usable password") }
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }
}
