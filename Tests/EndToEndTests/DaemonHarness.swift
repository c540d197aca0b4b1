import Foundation
import Testing
import VaultTestSupport

/// A vault with a running `vobiz-vault serve` on sockets in a temporary directory.
final class DaemonHarness {
    let s: Scratch
    var process: Process?
    let logPath: String

    var config: String { s.root + "/config.toml" }
    var client: String { s.root + "/run/vault.sock" }
    var admin: String { s.root + "/run/admin.sock" }
    var cfg: [String] { ["--config", config] }

    enum Backend: Sendable { case sqlite, postgres }

    /// The store new harnesses put their vault in: SQLite, or with `postgres` a new database of
    /// the tests' cluster (`VOBIZ_VAULT_TEST_STORE=postgres`, with which `make test` runs the
    /// suites that behave alike on both backends again).
    @TaskLocal static var backend: Backend = ProcessInfo.processInfo.environment["VOBIZ_VAULT_TEST_STORE"] == "postgres" ? .postgres : .sqlite

    /// The `[store]` and `[fleet]` tables of a vault in a new database of the shared cluster.
    static func postgresStore() throws -> String {
        let pg = try PostgresCluster.shared
        let db = try pg.createDatabase()
        return """
            [store]
            backend = "postgres"
            url = "postgresql:///\(db)?host=\(pg.socketDirectory)&port=\(pg.port)&user=\(pg.superuser)"

            [fleet]
            host = "host-a"
            """
    }

    static var pythonDir: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("python").path
    }

    /// `grants` is TOML appended to the configuration.
    /// `sockets` is more TOML for the `[sockets]` table.
    /// `limits` replaces the `[limits]` table's body.
    /// `seed`: create the vault and import the four test credentials (a fleet's joining host does not).
    init(grants: String = DaemonHarness.defaultGrants, extra: String = "", sockets: String = "", scratch: Scratch? = nil,
         limits: String = "read_timeout = \"2s\"\nidle_timeout = \"5s\"", seed: Bool = true) throws {
        s = try scratch ?? Scratch()
        chmod(s.root, 0o755)
        logPath = s.root + "/serve.log"
        let store = Self.backend == .postgres && !extra.contains("[store]") ? try Self.postgresStore() : ""
        try """
            [vault]
            state_dir = "\(s.state)"
            key_file = "\(s.key)"

            [sockets]
            client = "\(s.root)/run/vault.sock"
            admin = "\(s.root)/run/admin.sock"
            client_group = "nogroup"
            \(sockets)

            [limits]
            \(limits)

            \(extra)
            \(store)
            \(grants)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        guard seed else { return }
        #expect(try s.vv(["init"] + cfg).code == 0)
        let imp = try s.vv(["import"] + cfg, stdin: """
            [{"auth_id":"PA_MAIN","auth_token":"\(s.token("partner"))"},
             {"auth_id":"MA_ACME","auth_token":"\(s.token("acme"))","label":"Acme"},
             {"auth_id":"MA_BETA","auth_token":"\(s.token("beta"))"},
             {"auth_id":"MA_GONE","auth_token":"\(s.token("gone"))"}]
            """)
        #expect(imp.code == 0, "\(imp.err)")
        for name in ["partner", "acme", "beta", "gone"] { SuiteSweep.canary("token", s.token(name)) }
        #expect(try s.vv(["revoke", "MA_GONE"] + cfg).code == 0)
    }

    static let defaultGrants = """
        [[grant]]
        name = "reveal-beta"
        uid = 0
        credentials = ["MA_BETA"]
        operations = ["headers"]
        reveal = true

        [[grant]]
        name = "root"
        uid = 0
        credentials = ["partner", "MA_*"]
        operations = ["headers"]
        methods = ["GET", "POST", "PUT"]
        """

    /// `environment` joins the daemon's PATH (`JOURNAL_STREAM`, say).
    func start(environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["serve"] + cfg
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardError = handle
        p.standardOutput = handle
        p.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        try p.run()
        process = p
        // A minute: a debug build starting beside other suites on two cores can take seconds.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && p.isRunning {
            if (try? curl(["http://v/v1/health"]))?.contains("\"ok\"") == true { return }
            usleep(25_000)
        }
        Issue.record("daemon did not come up: \(log())")
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let p = process else { return -1 }
        kill(p.processIdentifier, signal)
        // A test that stopped the daemon (SIGSTOP) and died before resuming it must not hang here.
        kill(p.processIdentifier, SIGCONT)
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    deinit { stop(signal: SIGKILL) }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// curl on the client socket (or `socket`); returns the body.
    @discardableResult
    func curl(_ args: [String], socket: String? = nil, asNobody: Bool = false) throws -> String {
        let base = ["curl", "-s", "--max-time", "20", "--unix-socket", socket ?? client] + args
        let argv = asNobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + base : base
        let out = try Process.run("/usr/bin/env", argv)
        s.captured.append(out)
        return out
    }

    func headers(_ method: String, _ url: String, credential: String? = nil, asNobody: Bool = false) throws -> [String: Any] {
        var body: [String: Any] = ["method": method, "url": url]
        if let credential { body["credential"] = credential }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let out = try curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", json, "http://v/v1/headers"], asNobody: asNobody)
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? [:]
    }

    /// Runs one of Tests/python/*.py and parses the JSON it prints.
    func python(_ script: String, _ args: [String]) throws -> [String: Any] {
        let out = try Process.run("/usr/bin/env", ["python3", DaemonHarness.pythonDir + "/" + script] + args)
        s.captured.append(out)
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? ["unparsed": out]
    }

    func auditJSON() throws -> [[String: Any]] {
        let r = try s.vv(["audit", "tail", "-n", "1000", "--json"] + cfg)
        return (try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["events"] as? [[String: Any]] ?? []
    }
}

func problemType(_ answer: [String: Any]) -> String? {
    (answer["type"] as? String)?.split(separator: ":").last.map(String.init)
}
