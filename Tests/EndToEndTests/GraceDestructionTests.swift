import Foundation
import Testing
import VaultTestSupport

/// The running daemon destroys token versions whose grace has ended by itself, without waiting
/// for an admin command.
@Suite(.serialized) struct GraceDestructionTests {
    /// Version 1's status and whether its ciphertext is still stored, read from the database
    /// without going through the daemon (an admin command would destroy it too).
    static func versionOne(_ d: DaemonHarness) throws -> (status: String, hasCiphertext: Bool) {
        let out = try Process.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=5)
            row = c.execute("SELECT v.status, v.ciphertext IS NOT NULL FROM token_versions v JOIN accounts a ON a.id = v.account_id "
                            "WHERE a.auth_id = 'MA_ACME' AND v.version = 1").fetchone()
            print(row[0], row[1])
            """, d.s.state + "/vault.db"]).split(separator: " ")
        return (String(out[0]), out.count > 1 && out[1].hasPrefix("1"))
    }

    @Test func theDaemonDestroysVersionsPastTheirGraceOnItsOwn() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let rot = try d.s.vv(["rotate", "MA_ACME", "--grace", "1s"] + d.cfg, stdin: d.s.token("acme-2") + "\n")
        #expect(rot.code == 0, "\(rot.err)")
        SuiteSweep.canary("token", d.s.token("acme-2"))
        #expect(try Self.versionOne(d) == ("previous", true))
        // No admin command from here on: only the daemon's own sweep can destroy it.
        var state = try Self.versionOne(d)
        for _ in 0..<60 where state.status != "destroyed" {
            usleep(250_000)
            state = try Self.versionOne(d)
        }
        #expect(state == ("destroyed", false), "version 1 still \(state) 15 s after its grace ended")
        #expect(d.log().contains("destroyed token versions past their grace"), "\(d.log())")
        // The new version keeps serving; the destruction is in the audit log and the chain holds.
        let h = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        #expect((h["credential"] as? [String: Any])?["version"] as? Int == 2, "\(h)")
        let destroyed = try d.auditJSON().filter { $0["op"] as? String == "destroy" && $0["auth_id"] as? String == "MA_ACME" }
        #expect(destroyed.count == 1 && destroyed.first?["reason"] as? String == "grace ended", "\(destroyed)")
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
    }
}
