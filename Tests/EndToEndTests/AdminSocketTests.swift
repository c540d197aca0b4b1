import Foundation
import Testing

/// The admin socket: who gets in (DESIGN §5: uid 0 and members of `admin_group`), and admin
/// commands answering through the daemon exactly as they do offline.
@Suite(.serialized) struct AdminSocketTests {
    /// curl on the admin socket as uid 65534 with the given supplementary groups; returns the
    /// HTTP status ("000": could not connect) and the body.
    static func asNobody(_ d: DaemonHarness, groups: [Int], _ args: [String]) throws -> (String, String) {
        let groupArgs = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.map(String.init).joined(separator: ",")]
        let out = try Process.run("/usr/bin/env", ["setpriv", "--reuid=65534", "--regid=65534"] + groupArgs + [
            "curl", "-s", "--max-time", "10", "--unix-socket", d.admin, "-w", "\n%{http_code}"] + args)
        let status = out.split(separator: "\n").last.map(String.init) ?? ""
        return (status, String(out.dropLast(status.count + 1)))
    }

    @Test func membersOfTheAdminGroupGetInAndOthersAreRefused() throws {
        // The client group (and so the socket directory's group) is nogroup, the admin group is
        // "daemon" (gid 1): uid 65534 reaches the directory, and the admin socket only with gid 1.
        let d = try DaemonHarness(sockets: "admin_group = \"daemon\"")
        try d.start()
        var st = stat()
        #expect(stat(d.admin, &st) == 0 && st.st_mode & 0o777 == 0o660 && st.st_gid == 1, "admin socket mode \(String(st.st_mode & 0o777, radix: 8)) gid \(st.st_gid)")
        // A member (supplementary group): the daemon accepts it, for health, metrics and commands.
        let (health, _) = try Self.asNobody(d, groups: [1], ["http://v/v1/health"])
        #expect(health == "200")
        let (metricsStatus, metrics) = try Self.asNobody(d, groups: [1], ["http://v/metrics"])
        #expect(metricsStatus == "200" && metrics.contains("vobiz_vault_credentials"))
        let (listStatus, list) = try Self.asNobody(d, groups: [1], ["http://v/v1/admin/credentials"])
        #expect(listStatus == "200" && list.contains("MA_ACME"), "\(list)")
        // Not a member: the socket's mode keeps it out.
        let (outsider, _) = try Self.asNobody(d, groups: [], ["http://v/v1/health"])
        #expect(outsider == "000")
        // With the socket opened up (as a careless socket unit might), the daemon's own check
        // refuses it, and audits the refusal.
        chmod(d.admin, 0o666)
        let (refusedStatus, refused) = try Self.asNobody(d, groups: [], ["http://v/v1/admin/credentials"])
        #expect(refusedStatus == "403" && refused.contains("not_granted") && refused.contains("admin group"), "\(refused)")
        let (refusedMetrics, _) = try Self.asNobody(d, groups: [], ["http://v/metrics"])
        #expect(refusedMetrics == "403")
        usleep(200_000)
        let row = try d.auditJSON().last
        #expect(row?["actor_uid"] as? Int == 65534 && row?["outcome"] as? String == "refused" && row?["reason"] as? String == "not_granted"
                && row?["op"] as? String == "admin",
                "\(row ?? [:])")
        #expect(d.stop() == 0)
    }

    /// `text` with every `"seconds_until_due" : N` made `…`, and the values taken out.
    static func withoutSeconds(_ text: String) -> (String, [Int]) {
        var values: [Int] = []
        let out = text.replacing(/"seconds_until_due" ?: ?(-?\d+)/) { m in
            values.append(Int(m.1)!)
            return "\"seconds_until_due\":…"
        }
        return (out, values)
    }

    @Test func commandsGiveTheSameOutputAndExitCodeOfflineAndThroughTheDaemon() throws {
        let d = try DaemonHarness()
        #expect(try d.s.vv(["edit", "MA_BETA", "--max-age", "10d", "--warn", "30d"] + d.cfg).code == 0)
        let commands: [[String]] = [
            ["due", "--within", "100d", "--json"], ["due"], ["due", "--within", "100d"], ["show", "MA_ACME", "--json"],
            ["show", "partner", "--json"], ["show", "MA_BETA"], ["show", "MA_GONE", "--json"], ["remind"], ["remind", "--json"],
            ["list", "--json"], ["list"], ["show", "MA_NOPE"],
        ]
        // Taken before the offline runs: their deadlines are counted from then on.
        let offlineAt = Date()
        let before = try commands.map { try d.s.vv($0 + d.cfg) }
        try d.start()
        for (c, offline) in zip(commands, before) {
            let online = try d.s.vv(c + d.cfg)
            // JSON output counts seconds to each deadline: those may differ by the time between the runs.
            let (a, secondsA) = Self.withoutSeconds(offline.out), (b, secondsB) = Self.withoutSeconds(online.out)
            let elapsed = Int(Date().timeIntervalSince(offlineAt)) + 2
            #expect(online.code == offline.code && b == a && online.err == offline.err,
                    "\(c): offline \(offline.code) \(offline.all)\nonline \(online.code) \(online.all)")
            #expect(secondsA.count == secondsB.count && zip(secondsA, secondsB).allSatisfy { (0...elapsed).contains($0 - $1) }, "\(c)")
        }
        // What was compared is what it should be.
        #expect(before[0].code == 0 && before[0].out.contains("\"auth_id\":\"MA_ACME\""), "\(before[0].all)")
        #expect(before[1].code == 0 && before[1].out.contains("MA_BETA"), "due: \(before[1].all)")
        #expect(before[5].out.contains("every 10d, warn 30d"), "\(before[5].all)")
        #expect(before[6].out.contains("\"state\" : \"revoked\""), "\(before[6].all)")
        #expect(before[7].code == 2 && before[7].out.contains("MA_GONE"), "remind: \(before[7].all)")
        #expect(before[8].code == 2 && before[8].out.contains("\"findings\""), "remind --json: \(before[8].all)")
        #expect(before[11].code != 0 && before[11].err.contains("MA_NOPE"), "\(before[11].all)")
        #expect(d.stop() == 0)
    }
}
