import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster for tests: its own data directory, socket directory and loopback
/// port, so no test depends on, or disturbs, a server the machine may already run.
///
/// `try PostgresCluster.shared` is one cluster per test process, started on first use (initdb
/// takes seconds); `try PostgresCluster()` is a test's own, for tests that stop and start it.
/// Each is stopped and its directory removed by `remove()`, when it is released, or at the latest
/// at process exit; a cluster left by a killed test process is removed by the next one.
///
/// initdb refuses to run as root, so as root the server runs as the `postgres` system user
/// (setpriv); otherwise as the current user. Roles: `superuser`, trusted on the socket only (its
/// directory is private to the server's user); `role` with `password`, by SCRAM on the socket
/// and on 127.0.0.1. fsync stays on: tests of durability run against this server.
public final class PostgresCluster: Sendable {
    public enum StopMode: String, Sendable { case fast, immediate }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public let superuser = "postgres"
    public let role = "vault"
    public let password: String
    public let directory: String
    public let dataDirectory: String
    public let socketDirectory: String
    public let logFile: String
    /// The loopback port it listens on (a promoted standby may move to its primary's).
    public var port: Int { portNow.withLock { $0 } }
    private let portNow: Mutex<Int>
    let host: PostgresHost

    public static var shared: PostgresCluster {
        get throws { try sharedCluster.get() }
    }

    private static let sharedCluster = Result { try PostgresCluster() }

    /// initdb, configure and start a new cluster on a free loopback port.
    public convenience init() throws {
        try self.init(password: nil) { host, data, socket in
            try host.run(["initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8"])
            try host.configure(data, socketDirectory: socket)
        }
    }

    /// A cluster whose data directory `populate(host, data, socket)` makes, started on a free
    /// port; with `password` nil it is a new cluster, and the role `vault` is created in it.
    init(password existing: String?, populate: (PostgresHost, String, String) throws -> Void) throws {
        host = try Self.currentHost.get()
        _ = Self.exitHook
        let root = host.base + "vv-pg-" + Self.randomHex(5)
        directory = root
        dataDirectory = root + "/data"
        socketDirectory = root + "/sock"
        logFile = root + "/server.log"
        password = existing ?? Self.randomHex(24)
        do {
            try host.makeDirectory(root)
            try Self.live.withLock { $0[root] = try Self.holdOwnerLock(root) }
            try host.makeDirectory(socketDirectory)
            try populate(host, dataDirectory, socketDirectory)
            portNow = Mutex(try Self.launch(host, dataDirectory, logFile))
        } catch {
            Self.release(root)
            throw error
        }
        guard existing == nil else { return }
        do {
            // A statement that fails is copied to the server log; this one holds the password.
            try psql("SET log_min_error_statement = panic; CREATE ROLE \(role) LOGIN PASSWORD '\(password)'", database: "postgres")
        } catch {
            remove()
            throw error
        }
        SuiteSweep.canary("password", password)
    }

    deinit { remove() }

    /// A new database named `name` (by default a random one) owned by `owner`; returns its name.
    @discardableResult
    public func createDatabase(_ name: String? = nil, owner: String = "postgres") throws -> String {
        let name = name ?? "t_" + Self.randomHex(6)
        try psql("CREATE DATABASE \(Self.identifier(name)) OWNER \(Self.identifier(owner))", database: "postgres")
        return name
    }

    /// Runs `sql` with psql (`-X -q -At -w -v ON_ERROR_STOP=1`, the script on its standard input)
    /// and returns its output less the final newline; throws with psql's stderr when it fails.
    /// `tcp` connects to 127.0.0.1 instead of the socket; the password goes in the environment,
    /// never in an argument another user could read.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", role: String? = nil, password: String? = nil,
                     tcp: Bool = false, timeout: Double = 120) throws -> String {
        let out = try host.run(["psql", "-X", "-q", "-At", "-w", "-v", "ON_ERROR_STOP=1", "-h", tcp ? "127.0.0.1" : socketDirectory,
                                "-p", String(port), "-U", role ?? superuser, "-d", database],
                               stdin: sql, env: password.map { ["PGPASSWORD": $0] } ?? [:], timeout: timeout)
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }

    /// Stops the server and waits until it is gone (`immediate`: as after a crash, recovery at start).
    public func stop(mode: StopMode = .fast) throws {
        try host.run(["pg_ctl", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "120", "stop"])
    }

    /// Starts the stopped server again, on the same socket and on `port` (by default its own).
    public func start(port: Int? = nil) throws {
        let port = port ?? self.port
        try Self.serve(host, dataDirectory, logFile, port: port)
        portNow.withLock { $0 = port }
    }

    /// From now on TCP clients must use TLS, with this server certificate (the configuration is
    /// reloaded; the socket is unchanged).
    public func requireTLS(certificate: String, key: String) throws {
        try host.requireTLS(dataDirectory, certificate: certificate, key: key)
        try psql("SELECT pg_reload_conf()")
        // The postmaster reloads on its own time; new sessions show when it has.
        for _ in 0..<250 where try psql("SHOW ssl") != "on" { usleep(20_000) }
        guard try psql("SHOW ssl") == "on" else { throw Failure("the server did not turn TLS on; see \(logFile)") }
    }

    /// Stops every process of the server (SIGSTOP) without closing anything: clients see a
    /// server that accepts connections and never answers, as behind a network that drops
    /// packets without a word. `resume()` lets it go on.
    public func pause() throws { try signalServer(SIGSTOP) }

    public func resume() throws { try signalServer(SIGCONT) }

    private func signalServer(_ signal: Int32) throws {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let postmaster = pid_t(text.prefix { $0 != "\n" }) else { throw Failure("the server is not running") }
        guard Self.signalTree(postmaster, signal) else { throw Failure("cannot signal the server: " + String(cString: strerror(errno))) }
    }

    /// The postmaster first (it forks no new backend while stopped), then its children.
    @discardableResult
    static func signalTree(_ postmaster: pid_t, _ signal: Int32) -> Bool {
        guard kill(postmaster, signal) == 0 else { return false }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // pid (comm) state ppid ...: the command may hold spaces and parentheses.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, pid_t(fields[1]) == postmaster { kill(pid, signal) }
        }
        return true
    }

    /// Ends the client sessions for which `condition` (SQL over pg_stat_activity) holds; returns how many.
    @discardableResult
    public func terminateBackends(where condition: String) throws -> Int {
        let count = try psql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                             + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND (\(condition))")
        return Int(count) ?? 0
    }

    @discardableResult
    public func terminateBackends(applicationName: String) throws -> Int {
        try terminateBackends(where: "application_name = '" + applicationName.replacingOccurrences(of: "'", with: "''") + "'")
    }

    /// Writes `password` to a new file at `path`, mode 0600, owned by `owner` when given, for a
    /// client that reads its password from a file; the leak sweep counts it as an input.
    public func writePasswordFile(at path: String, owner: (uid: uid_t, gid: gid_t)? = nil) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("cannot create \(path): " + String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(password.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, owner.map({ fchown(fd, $0.uid, $0.gid) == 0 }) ?? true else {
            throw Failure("cannot write \(path): " + String(cString: strerror(errno)))
        }
        SuiteSweep.input(path)
    }

    /// Stops the server at once and removes its directory; a second call does nothing.
    public func remove() { Self.release(directory) }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(port: Int) -> Bool { LoopbackPort.isListening(port) }

    // MARK: - Starting

    private static func launch(_ host: PostgresHost, _ data: String, _ log: String) throws -> Int {
        var failure: any Error = Failure("no start attempted")
        // The free port can be taken by someone else before the server binds it: try another.
        for _ in 0..<4 {
            let port = try LoopbackPort.free()
            do {
                try serve(host, data, log, port: port)
                return port
            } catch {
                failure = error
                stopAtOnce(data)
            }
        }
        throw failure
    }

    private static func serve(_ host: PostgresHost, _ data: String, _ log: String, port: Int) throws {
        do {
            try host.startServer(data, log: log, port: port)
        } catch {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
            throw Failure("\(error)\nserver log:\n\(tail)")
        }
    }

    // MARK: - Removing

    /// Each live cluster's directory, with the descriptor of its owner lock.
    private static let live = Mutex<[String: Int32]>([:])

    private static let exitHook: Void = {
        _ = atexit { PostgresCluster.live.withLock { $0 }.keys.forEach(PostgresCluster.release) }
    }()

    /// Also for a cluster whose start failed before it was listed as live.
    private static func release(_ root: String) {
        let fd = live.withLock { $0.removeValue(forKey: root) }
        stopAtOnce(root + "/data")
        try? FileManager.default.removeItem(atPath: root)
        if let fd { close(fd) }
    }

    /// What `pg_ctl stop -m immediate` does, without a child process, since this also runs at exit
    /// and on clusters left by another process. The pid file can outlive its server, so the process
    /// signalled must be the postmaster of this data directory.
    private static func stopAtOnce(_ data: String) {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
              let pid = pid_t(text.prefix { $0 != "\n" }), pid > 0,
              let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: command, as: UTF8.self).contains(data) else { return }
        // A server a test paused (SIGSTOP) and never resumed must be able to act on the signal.
        signalTree(pid, SIGCONT)
        guard kill(pid, SIGQUIT) == 0 else { return }
        // Gone when its pid file is: a postmaster whose parent does not reap it stays a zombie.
        var waited = 0
        while waited < 1000, kill(pid, 0) == 0, FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            usleep(10_000)
            waited += 1
        }
        if waited == 1000 { kill(pid, SIGKILL) }
    }

    /// Held (flock) as long as this process lives, so that another test process can tell a
    /// cluster left by a killed one from one in use. Locked before it is given its name.
    private static func holdOwnerLock(_ root: String) throws -> Int32 {
        let fd = open(root + "/owner.lock.new", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("cannot create the owner lock in \(root): " + String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, rename(root + "/owner.lock.new", root + "/owner.lock") == 0 else {
            close(fd)
            throw Failure("cannot take the owner lock in \(root): " + String(cString: strerror(errno)))
        }
        return fd
    }

    private static func removeAbandoned(under base: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix("vv-pg-") {
            let fd = open(base + name + "/owner.lock", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                stopAtOnce(base + name + "/data")
                try? FileManager.default.removeItem(atPath: base + name)
            }
            close(fd)
        }
    }

    // MARK: - The machine

    private static let currentHost = Result { () throws -> PostgresHost in
        let host = try PostgresHost()
        removeAbandoned(under: host.base)
        return host
    }

    static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }

    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
