import Foundation
import Testing
import VaultTestSupport

/// `store migrate` through the binary: a SQLite vault copied into a database of the tests'
/// PostgreSQL cluster and served from there, copied back into a SQLite file, and the refusals
/// (a daemon holding the vault, a target that is not empty, a broken chain) that change nothing.
@Suite struct StoreMigrateTests {
    /// `list` and `show` as the operator sees them: the same on every copy, but for the seconds
    /// left until a rotation is due, which the clock moves.
    static func listings(_ s: Scratch, _ args: [String]) throws -> [String] {
        try [["list", "--json"], ["show", "MA_ACME", "--json"], ["show", "partner", "--json"], ["show", "MA_GONE", "--json"]].map { cmd in
            let r = try s.vv(cmd + args)
            #expect(r.code == 0, "\(cmd): \(r.all)")
            return r.out.replacingOccurrences(of: #""seconds_until_due" ?: ?-?[0-9]+"#, with: "", options: .regularExpression)
        }
    }

    static func json(_ r: Binary.Result) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]) ?? [:]
    }

    /// A configuration whose rows live in `url`, with a state directory (lock only) and sockets of its own.
    static func postgresConfig(_ s: Scratch, url: String, passwordFile: String? = nil) throws -> [String] {
        let root = s.root
        try FileManager.default.createDirectory(atPath: root + "/pg-state", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let path = root + "/pg.toml"
        try """
            [vault]
            state_dir = "\(root)/pg-state"
            key_file = "\(s.key)"

            [sockets]
            client = "\(root)/pg-run/vault.sock"
            admin = "\(root)/pg-run/admin.sock"
            client_group = "nogroup"

            [store]
            backend = "postgres"
            url = "\(url)"
            \(passwordFile.map { "password_file = \"\($0)\"" } ?? "")

            [fleet]
            host = "host-a"

            \(DaemonHarness.defaultGrants)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return ["--config", path]
    }

    /// How many rows of the vault's tables (and key slots) `database` holds, and whether any
    /// of them holds `canary`, in text or in hex (bytea).
    static func census(_ pg: PostgresCluster, _ database: String, canary: String) throws -> (counts: String, hits: String) {
        let tables = ["vault_meta", "accounts", "token_versions", "login_credentials", "jwt_sessions", "signing_keys", "audit_events", "key_slots"]
        let counts = try pg.psql("SELECT " + tables.map { "(SELECT count(*) FROM \($0))" }.joined(separator: " || ',' || "), database: database)
        let hex = Data(canary.utf8).map { String(format: "%02x", $0) }.joined()
        let rows = tables.map { "SELECT t::text AS r FROM \($0) t" }.joined(separator: " UNION ALL ")
        let hits = try pg.psql("SELECT count(*) FROM (\(rows)) x WHERE r LIKE '%\(canary)%' OR r LIKE '%\(hex)%'", database: database)
        return (counts, hits)
    }

    @Test func aSQLiteVaultMovesToPostgreSQLIsServedThereAndComesBack() throws {
        let d = try DaemonHarness()
        let s = d.s
        #expect(try s.vv(["rotate", "MA_ACME"] + d.cfg, stdin: s.token("acme2") + "\n").code == 0)
        SuiteSweep.canary("token", s.token("acme2"))
        #expect(try s.vv(["login-credentials", "set", "partner"] + d.cfg, stdin: "ops@example.com\n\(s.token("login"))\n").code == 0)
        SuiteSweep.canary("password", s.token("login"))
        try d.start()
        let sealed = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        #expect((sealed["headers"] as? [String: Any])?["X-Vault-Signature"] != nil, "\(sealed)")

        let pg = try PostgresCluster.shared
        let database = try pg.createDatabase(owner: pg.role)
        let passwordFile = s.root + "/pg-password"
        try pg.writePasswordFile(at: passwordFile)
        let url = "postgresql://\(pg.role)@127.0.0.1:\(pg.port)/\(database)"
        let migrate = ["store", "migrate", "--to", url, "--password-file", passwordFile, "--host", "host-a", "--json"]
        let busy = try s.vv(migrate + d.cfg)
        #expect(busy.code == 1 && busy.err.contains("daemon holds"), "\(busy.all)")
        #expect(d.stop() == 0)

        let before = try Self.listings(s, d.cfg)
        let there = try s.vv(migrate + d.cfg)
        #expect(there.code == 0, "\(there.all)")
        let report = Self.json(there)
        let rows = report["rows"] as? [String: Int] ?? [:]
        #expect(report["from"] as? String == "sqlite" && report["to"] as? String == "postgres" && report["target"] as? String == url
                && report["host"] as? String == "host-a" && report["chain"] as? String == "intact", "\(there.out)")
        #expect(rows["accounts"] == 4 && rows["token_versions"] == 5 && rows["login_credentials"] == 1 && rows["signing_keys"] == 1
                && rows["vault_meta"] == 1, "\(rows)")
        #expect(report["audit_rows"] as? Int == (rows["audit_events"] ?? 0) + 1)

        // Offline on the copy: the same credentials and versions, the chain intact, the token opens.
        let pgcfg = try Self.postgresConfig(s, url: url, passwordFile: passwordFile)
        #expect(try Self.listings(s, pgcfg) == before)
        let verify = try s.vv(["audit", "verify"] + pgcfg)
        #expect(verify.code == 0 && verify.out == "audit chain intact: \(report["audit_rows"] as? Int ?? -1) rows\n", "\(verify.all)")
        let tail = try s.vv(["audit", "tail", "-n", "1", "--json"] + pgcfg)
        let last = (Self.json(tail)["events"] as? [[String: Any]])?.last
        let detail = last?["detail"] as? [String: Any]
        #expect(last?["op"] as? String == "store-migrate" && detail?["from"] as? String == "sqlite" && detail?["target"] as? String == url
                && detail?["accounts"] as? Int == 4, "\(tail.out)")
        let same = try s.vv(["import"] + pgcfg, stdin: #"{"auth_id":"MA_ACME","auth_token":"\#(s.token("acme2"))"}"#)
        #expect(same.code == 0 && same.out.contains("unchanged MA_ACME"), "\(same.all)")
        let other = try s.vv(["import"] + pgcfg, stdin: #"{"auth_id":"MA_ACME","auth_token":"\#(s.token("acme3"))"}"#)
        #expect(other.code == 1 && other.err.contains("different token"), "\(other.all)")

        // A daemon on the copy signs with the signing key that moved, and knows one host.
        let stop = try Self.serve(s, pgcfg, socket: s.root + "/pg-run/vault.sock")
        let signed = try s.vv(["headers", "GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"] + pgcfg)
        #expect(signed.code == 0 && signed.out.contains("X-Vault-Signature"), "\(signed.all)")
        let fleet = try s.vv(["fleet", "list", "--json"] + pgcfg)
        #expect(fleet.out.contains("\"host-a\"") && fleet.out.components(separatedBy: "\"host\"").count == 2, "\(fleet.out)")
        #expect(stop() == 0)

        // And back, into a new SQLite file that serves as a vault again.
        let back = s.root + "/back"
        try FileManager.default.createDirectory(atPath: back, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let home = try s.vv(["store", "migrate", "--to", "sqlite:\(back)/vault.db", "--json"] + pgcfg)
        #expect(home.code == 0, "\(home.all)")
        let homeReport = Self.json(home)
        #expect(homeReport["from"] as? String == "postgres" && homeReport["to"] as? String == "sqlite" && homeReport["host"] == nil, "\(home.out)")
        var st = stat()
        #expect(stat(back + "/vault.db", &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: back) == ["vault.db"], "no staging directory left")
        let backArgs = ["--state-dir", back, "--key-file", s.key]
        #expect(try Self.listings(s, backArgs) == before)
        let backVerify = try s.vv(["audit", "verify"] + backArgs)
        #expect(backVerify.code == 0 && backVerify.out == "audit chain intact: \(homeReport["audit_rows"] as? Int ?? -1) rows\n", "\(backVerify.all)")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: back + "/vault.db"))
        #expect(bytes.range(of: Data(s.canary.utf8)) == nil)
        #expect(try Self.census(pg, database, canary: s.canary).hits == "0")
        #expect(!s.captured.contains { $0.contains(pg.password) })
        #expect(try s.canaryHits().isEmpty)
    }

    @Test func aTargetThatIsNotEmptyOrABrokenChainIsRefusedAndNothingChanges() throws {
        let d = try DaemonHarness()
        let s = d.s
        let pg = try PostgresCluster.shared
        func migrate(_ to: String, _ more: [String] = []) throws -> Binary.Result {
            try s.vv(["store", "migrate", "--to", to] + more + d.cfg)
        }
        func socket(_ db: String) -> String { "postgresql:///\(db)?host=\(pg.socketDirectory)&port=\(pg.port)&user=\(pg.superuser)" }

        let full = try pg.createDatabase()
        #expect(try migrate(socket(full), ["--host", "host-a"]).code == 0)
        let held = try Self.census(pg, full, canary: s.canary).counts
        let again = try migrate(socket(full), ["--host", "host-b"])
        #expect(again.code == 1 && again.err.contains("already holds a vault") && again.err.contains("changed nothing"), "\(again.all)")
        #expect(try Self.census(pg, full, canary: s.canary).counts == held)
        // Rows but no vault: refused inside the copy's transaction, which leaves them as they were.
        let stray = try pg.createDatabase()
        #expect(try migrate(socket(stray)).code == 0)
        try pg.psql("DELETE FROM vault_meta", database: stray)
        let strayRows = try Self.census(pg, stray, canary: s.canary).counts
        let leftovers = try migrate(socket(stray))
        #expect(leftovers.code == 1 && leftovers.err.contains("holds rows (") && leftovers.err.contains("accounts: 4"), "\(leftovers.all)")
        #expect(try Self.census(pg, stray, canary: s.canary).counts == strayRows)

        // A path where anything is, or whose directory is missing.
        let taken = s.root + "/taken.db"
        try Data("not a vault".utf8).write(to: URL(fileURLWithPath: taken))
        let exists = try migrate("sqlite:" + taken)
        #expect(exists.code == 1 && exists.err.contains("already exists") && exists.err.contains("changed nothing"), "\(exists.all)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: taken)) == Data("not a vault".utf8))
        symlink(s.root + "/nowhere.db", s.root + "/link.db")
        #expect(try migrate("sqlite:" + s.root + "/link.db").code == 1 && !FileManager.default.fileExists(atPath: s.root + "/nowhere.db"))
        #expect(try migrate("sqlite:" + s.root + "/missing/vault.db").err.contains("does not exist"))

        // The target's password: only from an owner-only file, never in the URL, never echoed.
        let loose = s.root + "/loose-password"
        try Data("x".utf8).write(to: URL(fileURLWithPath: loose))
        chmod(loose, 0o644)
        let tcp = "postgresql://\(pg.role)@127.0.0.1:\(pg.port)/\(full)"
        #expect(try migrate(tcp, ["--password-file", loose]).err.contains("mode 0644"))
        let inURL = try migrate("postgresql://\(pg.role):\(s.token("pw"))@127.0.0.1:\(pg.port)/\(full)")
        #expect(inURL.code == 1 && inURL.err.contains("--password-file") && !inURL.all.contains(s.token("pw")), "\(inURL.all)")
        #expect(try migrate("postgresql://vault@db.example.com/x", ["--tls", "disable"]).err.contains("remote server db.example.com"))

        // A chain edited behind the vault's back is not copied: the target is never touched.
        let out = try Process.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 2")
            c.close()
            print("done")
            """, s.state + "/vault.db"])
        try #require(out == "done\n")
        let fresh = try pg.createDatabase()
        let broken = try migrate(socket(fresh))
        #expect(broken.code == 1 && broken.err.contains("audit chain is broken (row 2 of the vault's audit log"), "\(broken.all)")
        #expect(try pg.psql("SELECT to_regclass('public.vault_meta') IS NULL", database: fresh) == "t")
        #expect(try migrate("sqlite:" + s.root + "/broken.db").code == 1 && !FileManager.default.fileExists(atPath: s.root + "/broken.db"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.root).allSatisfy { !$0.hasPrefix(".vobiz-vault-migrate-") })
        #expect(try s.canaryHits().isEmpty)
    }

    /// A vault behind a passphrase keeps it: the copy's key slot holds its Argon2id parameters,
    /// and the copy back holds them in `vault_meta`.
    @Test func aPassphraseVaultMovesWithItsPassphrase() throws {
        let s = try Scratch()
        let passFile = s.root + "/passphrase"
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: passFile))
        chmod(passFile, 0o600)
        SuiteSweep.input(passFile)
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"PA_PASS","auth_token":"\#(s.token("pass"))"}"#).code == 0)
        SuiteSweep.canary("token", s.token("pass"))
        #expect(try s.vv(["rekey", "--new-passphrase-file", passFile] + s.keyed).code == 0)
        let withPassphrase = ["--passphrase-file", passFile]

        let pg = try PostgresCluster.shared
        let database = try pg.createDatabase()
        let url = "postgresql:///\(database)?host=\(pg.socketDirectory)&port=\(pg.port)&user=\(pg.superuser)"
        let there = try s.vv(["store", "migrate", "--to", url, "--host", "host-a"] + withPassphrase + s.readOnly)
        #expect(there.code == 0, "\(there.all)")
        #expect(try pg.psql("SELECT kek_kind || ',' || (kdf_salt IS NOT NULL) FROM key_slots WHERE host = 'host-a'", database: database) == "passphrase,true")
        let pgcfg = try Self.postgresConfig(s, url: url)
        #expect(try s.vv(["audit", "verify"] + withPassphrase + pgcfg).code == 0)
        let same = try s.vv(["import"] + withPassphrase + pgcfg, stdin: #"{"auth_id":"PA_PASS","auth_token":"\#(s.token("pass"))"}"#)
        #expect(same.code == 0 && same.out.contains("unchanged PA_PASS"), "\(same.all)")

        let back = s.root + "/back"
        try FileManager.default.createDirectory(atPath: back, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        #expect(try s.vv(["store", "migrate", "--to", "sqlite:\(back)/vault.db"] + withPassphrase + pgcfg).code == 0)
        let verify = try s.vv(["audit", "verify", "--state-dir", back] + withPassphrase)
        #expect(verify.code == 0, "\(verify.all)")
        #expect(try s.vv(["audit", "verify", "--state-dir", back, "--key-file", s.key]).err.contains("passphrase"))
        #expect(try s.canaryHits().isEmpty)
    }

    /// `serve` on `config`, up once its client socket answers health checks; answers how to
    /// stop it (SIGTERM, its exit status), which keeps its output for the leak sweep.
    static func serve(_ s: Scratch, _ config: [String], socket: String) throws -> () -> Int32 {
        let running = try Binary.start(["serve"] + config)
        let out = Binary.Drain(running.out), err = Binary.Drain(running.err)
        let stop = { () -> Int32 in
            kill(running.process.processIdentifier, SIGTERM)
            running.process.waitUntilExit()
            s.captured += [String(decoding: out.data(), as: UTF8.self), String(decoding: err.data(), as: UTF8.self)]
            return running.process.terminationStatus
        }
        for _ in 0..<200 {
            let health = try Process.run("/usr/bin/env", ["curl", "-s", "--max-time", "5", "--unix-socket", socket, "http://v/v1/health"])
            if health.contains("\"ok\"") { return stop }
            usleep(25_000)
        }
        Issue.record("the daemon on the copy did not come up")
        return stop
    }
}
