import Foundation
import Testing

/// `remind`: each kind of finding (line and exit code), `--json`, `--exec`.
@Suite struct RemindTests {
    func config(_ s: Scratch, masterKeyMaxAge: String) throws -> [String] {
        let path = s.root + "/remind.toml"
        try """
            [vault]
            state_dir = "\(s.state)"
            key_file = "\(s.key)"
            [rotation]
            master_key_max_age = "\(masterKeyMaxAge)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return ["--config", path]
    }

    @Test func everyKindOfFindingWithItsExitCode() throws {
        let s = try Scratch()
        var cfg = try config(s, masterKeyMaxAge: "365d")
        #expect(try s.vv(["init"] + cfg).code == 0)
        #expect(try s.vv(["import"] + cfg, stdin: """
            [{"auth_id":"PA_MAIN","auth_token":"\(s.token("p"))"},{"auth_id":"MA_DUE","auth_token":"\(s.token("d"))"},
             {"auth_id":"MA_LATE","auth_token":"\(s.token("l"))"},{"auth_id":"MA_REV","auth_token":"\(s.token("r"))"},
             {"auth_id":"MA_BAD","auth_token":"\(s.token("b"))"}]
            """).code == 0)
        #expect(try s.vv(["remind"] + cfg).code == 0)

        #expect(try s.vv(["edit", "MA_DUE", "--max-age", "10d", "--warn", "20d"] + cfg).code == 0)
        let due = try s.vv(["remind"] + cfg)
        #expect(due.code == 1 && due.out.hasPrefix("WARNING MA_DUE -: rotation due in"), "\(due.all)")

        #expect(try s.vv(["edit", "MA_LATE", "--max-age", "1s"] + cfg).code == 0)
        #expect(try s.vv(["revoke", "MA_REV"] + cfg).code == 0)
        #expect(try s.vv(["revoke", "MA_BAD", "--compromised"] + cfg).code == 0)
        sleep(2)
        let all = try s.vv(["remind", "--json"] + cfg)
        #expect(all.code == 2, "\(all.all)")
        let kinds = Set(((try JSONSerialization.jsonObject(with: Data(all.out.utf8)) as? [String: Any])?["findings"] as? [[String: Any]] ?? [])
            .compactMap { $0["kind"] as? String })
        #expect(kinds == ["rotation_due", "rotation_overdue", "revoked_not_rotated", "compromised_not_rotated"], "\(kinds)")

        // The master key: due within the warn window, then overdue.
        cfg = try config(s, masterKeyMaxAge: "10d")
        #expect(try s.vv(["remind"] + cfg).out.contains("WARNING vault master key: master key rotation due on"))
        cfg = try config(s, masterKeyMaxAge: "1s")
        let key = try s.vv(["remind"] + cfg)
        #expect(key.code == 2 && key.out.contains("CRITICAL vault master key: master key set on") && key.out.contains("rekey"), "\(key.all)")

        // A tampered audit log is found when the key is at hand.
        let db = s.state + "/vault.db"
        _ = try Process.run("/usr/bin/env", ["python3", "-c", "import sqlite3; c=sqlite3.connect('\(db)'); c.execute(\"UPDATE audit_events SET reason='edited' WHERE seq=2\"); c.commit()"])
        let audit = try s.vv(["remind", "--json"] + cfg)
        #expect(audit.out.contains("\"audit_broken\""), "\(audit.all)")
        #expect(try s.canaryHits().isEmpty)
    }

    @Test func findingsGoToTheNotifierAndAFailingNotifierIsUnknown() throws {
        let d = try DaemonHarness()
        let out = d.s.root + "/notified.txt"
        let offline = try d.s.vv(["remind", "--exec", "cat > \(out)"] + d.cfg)
        #expect(offline.code == 2, "\(offline.all)")
        let sent = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(sent.contains("CRITICAL MA_GONE") && sent.trimmingCharacters(in: .newlines) == offline.out.trimmingCharacters(in: .newlines),
                "\(sent)")
        #expect(try d.s.vv(["remind", "--exec", "exit 7"] + d.cfg).code == 3)
        // Through the daemon, the notifier still runs here, as the operator.
        try d.start()
        try? FileManager.default.removeItem(atPath: out)
        let online = try d.s.vv(["remind", "--exec", "cat > \(out)"] + d.cfg)
        #expect(online.code == 2 && ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("CRITICAL MA_GONE"), "\(online.all)")
    }
}
