import Foundation
import Testing

/// Reloading the configuration of a running daemon, as an operator and systemd do it.
@Suite struct ReloadTests {
    /// `vobiz-vault reload` (the unit's ExecReload=) waits for the outcome: a broken file fails
    /// the command, says why, and changes nothing; a good one is in force when it returns.
    @Test func reloadWaitsAndFailsOnABrokenFile() throws {
        let d = try DaemonHarness()
        try d.start()
        let url = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"
        let admin = d.cfg + ["--state-dir", d.s.state, "--admin-socket", d.admin]
        let ok = try d.s.vv(["reload", "--json"] + admin)
        let view = try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any]
        #expect(ok.code == 0 && view?["reloaded"] as? Bool == true && (view?["grants"] as? Int ?? 0) > 0, "\(ok)")
        let good = try String(contentsOfFile: d.config, encoding: .utf8)
        try (good + "\n[[grant]\n").write(toFile: d.config, atomically: true, encoding: .utf8)
        let broken = try d.s.vv(["reload"] + admin)
        #expect(broken.code == 1 && broken.err.contains("not reloaded") && broken.err.contains("policy in force is unchanged"), "\(broken)")
        #expect(try d.headers("GET", url)["mode"] as? String == "sealed")
        let raw = try d.curl(["-s", "-X", "POST", "-d", "{}", "http://v/v1/admin/reload"], socket: d.admin)
        #expect(raw.contains("config_invalid") && raw.contains("not reloaded"), "\(raw)")
        try good.replacingOccurrences(of: "name = \"root\"\nuid = 0", with: "name = \"root\"\nuid = 4242")
            .write(toFile: d.config, atomically: true, encoding: .utf8)
        let dropped = try d.s.vv(["reload"] + admin)
        #expect(dropped.code == 0 && dropped.out.hasPrefix("reloaded: "), "\(dropped)")
        // In force as soon as the command returns: no wait.
        #expect(problemType(try d.headers("GET", url)) == "not_granted")
        #expect(d.stop() == 0)
    }
}
