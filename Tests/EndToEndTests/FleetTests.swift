import Foundation
import Testing
import VaultTestSupport

/// Three daemons on one machine sharing one vault in PostgreSQL (Docs/fleet.md): joined without
/// copying a master key, and each change made through one host handed out by the others.
@Suite(.serialized) struct FleetTests {
    /// The version of `credential` that host `h` hands out, and the token header it gave.
    static func handedOut(_ h: DaemonHarness, _ credential: String) throws -> (version: Int, token: String?) {
        let a = try h.headers("GET", "https://api.vobiz.ai/api/v1/Account/\(credential)/", credential: credential)
        // A revealed answer hands the token to its caller by design: not a leak, kept out of the sweep.
        h.s.captured.removeLast()
        let version = (a["credential"] as? [String: Any])?["version"] as? Int ?? -1
        return (version, (a["headers"] as? [String: String])?["X-Auth-Token"])
    }

    /// Polls until `h` hands out `version` of `credential`; answers how long that took.
    static func waitFor(_ h: DaemonHarness, _ credential: String, version: Int, within: Double = 5) throws -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < within {
            if try handedOut(h, credential).version == version { return Date().timeIntervalSince(start) }
            usleep(10_000)
        }
        return .infinity
    }

    @Test func hostsJoinWithoutSharingAKeyAndSeeEachOthersChanges() throws {
        let fleet = try FleetHarness(count: 3)
        let (a, b, c) = (fleet.hosts[0], fleet.hosts[1], fleet.hosts[2])
        // Each host has a master key of its own.
        let keys = try fleet.hosts.map { try Data(contentsOf: URL(fileURLWithPath: $0.s.key)) }
        #expect(Set(keys).count == 3)
        try fleet.startAll()

        let list = try b.s.vv(["fleet", "list", "--json"] + b.cfg)
        let hosts = (try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.map { $0["host"] as? String } == ["host-a", "host-b", "host-c"])
        #expect(hosts.allSatisfy { $0["state"] as? String == "active" })

        // An import through A is listed on B and C.
        let newToken = a.s.token("fresh")
        SuiteSweep.canary("token", newToken)
        let imp = try a.s.vv(["import"] + a.cfg, stdin: "[{\"auth_id\":\"MA_FRESH\",\"auth_token\":\"\(newToken)\"}]")
        #expect(imp.code == 0, "\(imp.all)")
        for h in [b, c] {
            let l = try h.s.vv(["list"] + h.cfg)
            #expect(l.out.contains("MA_FRESH") && l.out.contains("MA_BETA"), "\(l.all)")
        }

        // A rotation through B is what A and C hand out, well within a second.
        #expect(try Self.handedOut(a, "MA_BETA").version == 1)
        #expect(try Self.handedOut(c, "MA_BETA").version == 1)
        let rotated = b.s.token("beta-2")
        SuiteSweep.canary("token", rotated)
        let rot = try b.s.vv(["rotate", "MA_BETA"] + b.cfg, stdin: rotated)
        #expect(rot.code == 0, "\(rot.all)")
        for h in [a, c] {
            #expect(try Self.waitFor(h, "MA_BETA", version: 2) < 1)
            #expect(try Self.handedOut(h, "MA_BETA").token == rotated)
        }

        // Each row names the host that wrote it.
        let rows = try c.auditJSON()
        #expect(rows.contains { $0["op"] as? String == "import" && $0["host"] as? String == "host-a" })
        #expect(rows.contains { $0["op"] as? String == "rotate" && $0["host"] as? String == "host-b" })
        #expect(rows.contains { $0["op"] as? String == "fleet-join" && $0["host"] as? String == "host-c" })
        // The audit chain is one for the fleet, and verifies from any host.
        for h in [a, b, c] {
            let v = try h.s.vv(["audit", "verify"] + h.cfg)
            #expect(v.code == 0 && v.out.contains("intact"), "\(v.all)")
        }
        // PostgreSQL holds ciphertext only: no token, in text or in bytes.
        let dump = try fleet.pg.psql("""
            SELECT string_agg(t, ' ') FROM (SELECT r::text AS t FROM token_versions r UNION ALL SELECT r::text FROM accounts r
            UNION ALL SELECT r::text FROM audit_events r UNION ALL SELECT r::text FROM key_slots r UNION ALL SELECT r::text FROM vault_meta r) x
            """, database: fleet.database)
        #expect(dump.count > 1000)
        for canary in [a.s.canary, b.s.canary] {
            #expect(!dump.contains(canary) && !dump.contains(Data(canary.utf8).map { String(format: "%02x", $0) }.joined()))
        }
        // Revealed headers carry the tokens by design; nothing else may: not a log, not a state file.
        for h in fleet.hosts {
            #expect(!h.log().contains(h.s.canary) && !h.log().contains(a.s.canary))
            #expect(try h.s.files().values.allSatisfy { $0.range(of: Data(a.s.canary.utf8)) == nil && $0.range(of: Data(b.s.canary.utf8)) == nil })
        }
    }

    @Test func aCutListenConnectionStillDeliversTheChange() throws {
        let fleet = try FleetHarness(count: 2)
        let (a, b) = (fleet.hosts[0], fleet.hosts[1])
        try fleet.startAll()
        #expect(try Self.handedOut(b, "MA_BETA").version == 1)
        // Every connection of B's, its listener among them, is cut by the server.
        #expect(try fleet.pg.terminateBackends(applicationName: "host-b") >= 1)
        let rotated = a.s.token("beta-cut")
        SuiteSweep.canary("token", rotated)
        #expect(try a.s.vv(["rotate", "MA_BETA"] + a.cfg, stdin: rotated).code == 0)
        #expect(try Self.waitFor(b, "MA_BETA", version: 2) < 3)
        #expect(try Self.handedOut(b, "MA_BETA").token == rotated)
    }

    @Test func aForgedFingerprintIsRefusedAndAudited() throws {
        let fleet = try FleetHarness(count: 1)
        let a = fleet.hosts[0]
        let joiner = try DaemonHarness(extra: fleet.store("host-x"), seed: false)
        let joining = try Binary.start(["fleet", "join", "--wait", "3s"] + joiner.cfg)
        let out = Binary.Drain(joining.out)
        let real = try FleetHarness.waitForRequest(joiner, name: "host-x", member: a)
        let wrong = real == "0000-0000-0000-0000-0000-0000-0000-0000" ? "1111-1111-1111-1111-1111-1111-1111-1111" : "0000-0000-0000-0000-0000-0000-0000-0000"
        let refused = try a.s.vv(["fleet", "admit", "host-x", "--fingerprint", wrong] + a.cfg)
        #expect(refused.code != 0)
        #expect(!refused.all.contains(real), "the refusal must not show the request's own fingerprint")
        joining.process.waitUntilExit()
        _ = out.data()
        #expect(joining.process.terminationStatus != 0, "not admitted: the join gives up after its wait")
        let audit = try a.auditJSON()
        #expect(audit.contains { $0["op"] as? String == "fleet-admit" && $0["outcome"] as? String == "refused" })
        #expect(!"\(audit)".contains(real), "the refused row does not record the request's fingerprint either")
        // The joiner holds no key: it cannot open the vault.
        let status = try joiner.s.vv(["list"] + joiner.cfg)
        #expect(status.code != 0 && status.all.contains("no key slot"), "\(status.all)")
    }

    @Test func aRemovedHostOpensNothingOnceTheDataKeyIsReplaced() throws {
        let fleet = try FleetHarness(count: 3)
        let (a, b, c) = (fleet.hosts[0], fleet.hosts[1], fleet.hosts[2])
        try fleet.startAll()
        #expect(try Self.handedOut(c, "MA_BETA").token == a.s.token("beta"))
        let removed = try a.s.vv(["fleet", "remove", "host-c"] + a.cfg)
        #expect(removed.code == 0, "\(removed.all)")
        let rekey = try a.s.vv(["rekey", "--data-key"] + a.cfg)
        #expect(rekey.code == 0, "\(rekey.all)")

        // B takes the new data key sealed to it and goes on; C, removed, drops its keys.
        var bServes = false, cRefuses = false
        for _ in 0..<100 where !(bServes && cRefuses) {
            bServes = try Self.handedOut(b, "MA_BETA").token == a.s.token("beta")
            cRefuses = try Self.handedOut(c, "MA_BETA").version == -1
            usleep(50_000)
        }
        #expect(bServes, "a member goes on under the new data key")
        #expect(cRefuses, "the removed host hands out nothing")
        #expect(try b.s.vv(["audit", "verify"] + b.cfg).out.contains("intact"))
        // Restarted, C cannot open the vault at all.
        c.stop()
        let list = try c.s.vv(["list"] + c.cfg)
        #expect(list.code != 0 && list.all.contains("no key slot"), "\(list.all)")
        // A write through B is under the new key: A reads what B rotated.
        let rotated = b.s.token("beta-after")
        SuiteSweep.canary("token", rotated)
        #expect(try b.s.vv(["rotate", "MA_BETA"] + b.cfg, stdin: rotated).code == 0)
        #expect(try Self.waitFor(a, "MA_BETA", version: 2) < 1)
        #expect(try Self.handedOut(a, "MA_BETA").token == rotated)
        // The members' looks at the database (every 2 s) take the new key and the rewritten
        // chain for what they are, not for a database put back.
        usleep(2_500_000)
        #expect(try Self.handedOut(a, "MA_BETA").token == rotated)
        for h in [a, b] { #expect(!h.log().contains("older than this host saw"), "\(h.log())") }
    }

    /// A fleet copied to SQLite with another host still serving would lose that host's later
    /// changes: the copy is refused while one is connected, and made once it has stopped.
    @Test func copyingAFleetToSQLiteWaitsForTheOtherHostsToStop() throws {
        let fleet = try FleetHarness(count: 2)
        let (a, b) = (fleet.hosts[0], fleet.hosts[1])
        try b.start()
        let target = a.s.root + "/copy"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let refused = try a.s.vv(["store", "migrate", "--to", "sqlite:\(target)/vault.db"] + a.cfg)
        #expect(refused.code != 0 && refused.err.contains("host-b") && refused.err.contains("stop their daemons"), "\(refused.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty, "nothing written")
        #expect(b.stop() == 0)
        // The server ends a session some time after its client went.
        let sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'host-b'"
        for _ in 0..<200 where try fleet.pg.psql(sessions) != "0" { usleep(25_000) }
        let copied = try a.s.vv(["store", "migrate", "--to", "sqlite:\(target)/vault.db"] + a.cfg)
        #expect(copied.code == 0, "\(copied.all)")
        #expect(try a.s.vv(["audit", "verify", "--state-dir", target, "--key-file", a.s.key]).out.contains("intact"))
    }
}
