import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where PostgreSQL's programs are, whom they run as and where clusters go, for `PostgresCluster`.
struct PostgresHost: Sendable {
    struct IDs: Sendable {
        let uid: uid_t
        let gid: gid_t
    }

    /// The directory of initdb, pg_ctl, postgres and psql.
    let bin: String
    /// The server's user when it is not the current one (we are root), and setpriv's argv for it.
    let server: IDs?
    let setpriv: [String]
    /// Where clusters are made, with a final slash.
    let base: String

    init() throws {
        bin = try Self.findBin()
        if getuid() == 0 {
            guard let pw = getpwnam("postgres") else {
                throw PostgresCluster.Failure("no postgres system user: install the postgresql package (make deps)")
            }
            guard let tool = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile) else {
                throw PostgresCluster.Failure("setpriv not found: install util-linux (make deps)")
            }
            server = IDs(uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid)
            setpriv = [tool, "--reuid=postgres", "--regid=postgres", "--init-groups"]
        } else {
            server = nil
            setpriv = []
        }
        var tmp = NSTemporaryDirectory()
        if !tmp.hasSuffix("/") { tmp += "/" }
        // A socket's path may be 107 bytes at most, and the server's user must reach its directory.
        let socket = tmp + "vv-pg-0123456789/sock/.s.PGSQL.65535"
        base = socket.utf8.count <= 107 && Self.reachable(tmp, by: server) ? tmp : "/tmp/"
    }

    private static func findBin() throws -> String {
        let fm = FileManager.default
        // Debian installs major versions side by side; the newest is the one to test against.
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap { Int($0) }.sorted(by: >)
        if let v = versions.first(where: { fm.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }) {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        // Elsewhere (another distribution, a source build) pg_config knows.
        if let dir = try? execute(["/usr/bin/env", "pg_config", "--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines),
           fm.isExecutableFile(atPath: dir + "/initdb") {
            return dir
        }
        throw PostgresCluster.Failure("PostgreSQL's server programs are neither in /usr/lib/postgresql/*/bin nor where "
                                      + "pg_config --bindir says: install the postgresql package (make deps)")
    }

    private static func reachable(_ path: String, by server: IDs?) -> Bool {
        guard server != nil else { return true }
        var prefix = ""
        for part in URL(fileURLWithPath: path).resolvingSymlinksInPath().path.split(separator: "/") {
            prefix += "/" + part
            var st = stat()
            guard stat(prefix, &st) == 0, st.st_mode & S_IXOTH != 0 else { return false }
        }
        return true
    }

    /// A directory only the server's user may enter.
    func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0, server.map({ chown(path, $0.uid, $0.gid) == 0 }) ?? true else {
            throw PostgresCluster.Failure("cannot make \(path) for the server: " + String(cString: strerror(errno)))
        }
    }

    /// initdb's configuration, then authentication: the superuser is trusted on the socket alone
    /// (a directory only the server's user enters), every other role proves its password by SCRAM.
    func configure(_ data: String, socketDirectory: String) throws {
        try write(data + "/postgresql.conf", append: true, """

            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDirectory)'
            shared_buffers = 32MB
            max_connections = 200

            """)
        try write(data + "/pg_hba.conf", append: false, """
            local all postgres trust
            local replication postgres trust
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256

            """)
    }

    /// Serves TLS with `certificate` and `key` (copied into the data directory, the server's own,
    /// the key mode 0600 as the server insists) and refuses TCP clients that do not use it.
    func requireTLS(_ data: String, certificate: String, key: String) throws {
        for (source, name) in [(certificate, "server.crt"), (key, "server.key")] {
            let target = data + "/" + name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: source, toPath: target)
            guard chmod(target, 0o600) == 0, server.map({ chown(target, $0.uid, $0.gid) == 0 }) ?? true else {
                throw PostgresCluster.Failure("cannot hand \(target) to the server: " + String(cString: strerror(errno)))
            }
        }
        try write(data + "/postgresql.conf", append: true, "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        try write(data + "/pg_hba.conf", append: false, """
            local all postgres trust
            local replication postgres trust
            local all all scram-sha-256
            hostssl all all 127.0.0.1/32 scram-sha-256
            hostnossl all all 127.0.0.1/32 reject

            """)
    }

    /// Settings added at the end of postgresql.conf, where they override earlier ones.
    func appendSettings(_ data: String, _ text: String) throws {
        try write(data + "/postgresql.conf", append: true, "\n" + text + "\n")
    }

    /// Through the open file, which keeps the owner and mode initdb gave it.
    private func write(_ path: String, append: Bool, _ text: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw PostgresCluster.Failure("cannot open \(path)") }
        defer { try? handle.close() }
        if append { try handle.seekToEnd() } else { try handle.truncate(atOffset: 0) }
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Runs one of PostgreSQL's programs (`argv[0]` in `bin`) as the server's user; returns its stdout.
    @discardableResult
    func run(_ argv: [String], stdin: String? = nil, env: [String: String] = [:], timeout: Double = 120) throws -> String {
        try Self.execute(setpriv + [bin + "/" + argv[0]] + argv.dropFirst(), stdin: stdin, env: env, timeout: timeout)
    }

    static func execute(_ argv: [String], stdin: String? = nil, env: [String: String] = [:], timeout: Double = 120) throws -> String {
        let p = process(argv, env: env)
        // Unnamed files, not pipes: a child that exits before reading its input must not SIGPIPE
        // the tests, and one that fills a pipe nobody reads yet must not stall.
        let input = try stdin.map { try unnamedFile($0) }, out = try unnamedFile(), err = try unnamedFile()
        // Closed here, not left to the handles' release: the Process keeps them, and descriptors
        // left open pile up over hundreds of runs. Past about 1,300 open descriptors Foundation's
        // Process.run() (swift-corelibs-foundation 6.3) reads past its /proc/self/fd buffer and
        // crashes the whole test process.
        defer { for handle in [input, out, err] { try? handle?.close() } }
        p.standardInput = input ?? FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        try p.run()
        let command = argv.joined(separator: " ")
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            // SIGKILL: the test process's children inherit its blocked signals, SIGTERM among them.
            kill(p.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
            throw PostgresCluster.Failure("\(command): no answer in \(Int(timeout)) s")
        }
        func text(_ handle: FileHandle) throws -> String {
            try handle.seek(toOffset: 0)
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        }
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            throw PostgresCluster.Failure("\(command): \(p.terminationReason == .exit ? "exit" : "signal") \(p.terminationStatus): "
                                          + (try text(err)))
        }
        return try text(out)
    }

    /// Starts the postmaster on `port` and returns once it accepts connections.
    ///
    /// Not `pg_ctl start`: Foundation learns that a child ended when a socket the child inherits
    /// closes, and the postmaster pg_ctl leaves behind would hold it open, so pg_ctl would never be
    /// seen to end. The postmaster is this process's child instead, its output in `log`; readiness
    /// is read from postmaster.pid as pg_ctl -w reads it.
    func startServer(_ data: String, log: String, port: Int, timeout: Double = 120) throws {
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PostgresCluster.Failure("cannot open \(log): " + String(cString: strerror(errno))) }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let p = Self.process(setpriv + [bin + "/postgres", "-D", data, "-p", String(port)])
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = output
        p.standardError = output
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard p.isRunning else { throw PostgresCluster.Failure("postgres on port \(port) ended while starting") }
            let lines = ((try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 8, pid_t(lines[0]) == p.processIdentifier, lines[7].trimmingCharacters(in: .whitespaces) == "ready" {
                return
            }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGQUIT)
        throw PostgresCluster.Failure("postgres on port \(port) not ready in \(Int(timeout)) s")
    }

    private static func process(_ argv: [String], env: [String: String] = [:]) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        // PG* variables would point psql at another server; LC_ALL=C gives a locale initdb always
        // knows and messages in English; HOME is one with no .pgpass or .psqlrc in it.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment.merge(["LC_ALL": "C", "HOME": "/nonexistent"].merging(env) { $1 }) { $1 }
        p.environment = environment
        // initdb and postgres need a working directory the server's user may enter.
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        return p
    }

    /// A file removed from its directory as soon as it is open, holding `contents`, read from the start.
    private static func unnamedFile(_ contents: String = "") throws -> FileHandle {
        let path = NSTemporaryDirectory() + "vv-pgrun-" + UUID().uuidString
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PostgresCluster.Failure("cannot create \(path): " + String(cString: strerror(errno))) }
        unlink(path)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(contents.utf8))
        try handle.seek(toOffset: 0)
        return handle
    }
}
