import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VaultCore
import VaultStore

/// Where `store migrate` copies a vault: an empty PostgreSQL database, or a new SQLite file.
///
/// A SQLite copy is built in a private directory beside its path and linked into place only
/// once it verified, so a copy that fails leaves nothing at the path, and a name taken in the
/// meantime is never replaced. A PostgreSQL copy is one transaction, rolled back on failure.
public enum StoreTarget: Sendable, CustomStringConvertible {
    case postgres(PostgresSettings)
    case sqlite(path: String)

    /// `--to` and the options of a PostgreSQL target. Its password comes from `passwordFile`
    /// only (the rules of `[store] password_file`); a URL holding one is refused.
    public init(parsing to: String, passwordFile: String?, tls: String?, caFile: String?, host: String?,
                config: VaultConfig) throws(ServiceError) {
        if to.hasPrefix("sqlite:") {
            let path = String(to.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .invalidInput("--to sqlite:PATH needs the path of the new vault file") }
            guard passwordFile == nil, tls == nil, caFile == nil, host == nil else {
                throw .invalidInput("--password-file, --tls, --ca-file and --host are for a PostgreSQL target, not sqlite:PATH")
            }
            self = .sqlite(path: path)
            return
        }
        let url: PostgresURL
        do throws(PostgresURL.ParseError) { url = try PostgresURL(parsing: to) } catch {
            switch error {
            case .scheme:
                throw .invalidInput("--to must be postgresql://USER@HOST:PORT/DB, postgresql:///DB?host=/socket/dir&user=USER or sqlite:PATH")
            case .password:
                throw .invalidInput("--to holds a password: give it in a file with --password-file (mode 0600) instead")
            default:
                throw .invalidInput("--to \(error.description)")
            }
        }
        let mode = try Self.tls(tls, for: url)
        let name: String
        if let host {
            do throws(CoreError) { name = try FleetHost(host).name } catch { throw .invalidInput("--host: \(error.description)") }
        } else {
            name = try SharedStore.host(config).name
        }
        self = .postgres(PostgresSettings(url: url, password: try passwordFile.map { p throws(ServiceError) in try SharedStore.readPassword(at: p) },
                                          tls: mode, caFile: caFile, poolSize: 1, host: name))
    }

    /// `--tls`, by default plain text to a socket or this host only, as `[store] tls` allows.
    private static func tls(_ text: String?, for url: PostgresURL) throws(ServiceError) -> PostgresSettings.TLS {
        var remote: String?
        if case .tcp(let host, _) = url.endpoint, !ConfigLoader.Reader.isLoopback(host) { remote = host }
        guard let text else { return remote == nil ? .disable : .verifyFull }
        guard let mode = PostgresSettings.TLS(rawValue: text) else { throw .invalidInput("--tls must be disable, require or verify-full") }
        if mode == .disable, let remote { throw .invalidInput("--tls disable is refused for the remote server \(remote); use verify-full (or require)") }
        return mode
    }

    /// `postgres` or `sqlite`, as the audit row and `--json` name backends.
    public var backend: String {
        switch self {
        case .postgres: "postgres"
        case .sqlite: "sqlite"
        }
    }

    /// The target without anything secret (a URL never holds a password here).
    public var description: String {
        switch self {
        case .postgres(let s): s.url.description
        case .sqlite(let path): "sqlite:" + path
        }
    }

    /// The host whose key slot the copy holds (PostgreSQL only).
    public var host: String? {
        guard case .postgres(let s) = self else { return nil }
        return s.host
    }

    /// Refuses a target that is not empty before the source is opened or the key asked for: a
    /// database that holds a vault, a path where anything is (a file, a directory, a symlink).
    func checkEmpty() throws(ServiceError) {
        switch self {
        case .postgres(let settings):
            let store = PostgresStore.connect(settings)
            defer { store.close() }
            let holds: Bool
            do { holds = try store.holdsVault() } catch { throw VaultService.map(error) }
            if holds { throw .targetNotEmpty(target: description, holds: "already holds a vault") }
        case .sqlite(let path):
            var st = stat()
            if lstat(path, &st) == 0 { throw .targetNotEmpty(target: description, holds: NewFile.Refused(errno: EEXIST).description) }
            let dir = Self.directory(of: path)
            guard stat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
                throw .invalidInput("the directory \(dir) of \(description) does not exist; create it first (mode 0700)")
            }
        }
    }

    /// A target opened for the copy: the store, and for SQLite the private directory it is
    /// built in until `finish` links it into place.
    struct Opened {
        let store: any VaultStorage
        let staging: String?
    }

    /// PostgreSQL: connects and applies the schema. SQLite: creates the vault file (0600) in a
    /// new private directory beside the path.
    func open() throws(ServiceError) -> Opened {
        switch self {
        case .postgres(let settings):
            let store = PostgresStore.connect(settings)
            do { try store.migrate() } catch {
                store.close()
                throw VaultService.map(error)
            }
            return Opened(store: store, staging: nil)
        case .sqlite(let path):
            var template = Array((Self.directory(of: path) + "/.vobiz-vault-migrate-XXXXXX").utf8CString)
            guard let staging = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
                throw .store("cannot create a temporary directory beside \(path): \(String(cString: strerror(errno)))")
            }
            do {
                return Opened(store: try SQLiteStore.create(at: staging + "/vault.db"), staging: staging)
            } catch {
                try? FileManager.default.removeItem(atPath: staging)
                throw .store(error.description)
            }
        }
    }

    /// After the copy committed: a SQLite file is folded into one file and linked to its path
    /// (never over anything there); the connections are closed.
    func finish(_ opened: Opened) throws(ServiceError) {
        guard case .sqlite(let path) = self, let staging = opened.staging else { return opened.store.close() }
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do { try opened.store.checkpoint() } catch {
            opened.store.close()
            throw .store(error.description)
        }
        opened.store.close()
        guard link(staging + "/vault.db", path) == 0 else {
            let refused = NewFile.Refused(errno: errno)
            if refused.errno == EEXIST { throw .targetNotEmpty(target: description, holds: refused.description) }
            throw .store("\(description) \(refused.description)")
        }
        VaultService.syncFile(Self.directory(of: path))
    }

    /// After a failed copy: nothing is left of it (PostgreSQL rolled the transaction back).
    func discard(_ opened: Opened) {
        opened.store.close()
        if let staging = opened.staging { try? FileManager.default.removeItem(atPath: staging) }
    }

    private static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}
