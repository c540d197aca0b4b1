import Foundation
import Testing
import VaultTestSupport

/// The `sealed` and `rate_limited` refusals through the daemon (DESIGN §4, §5, §7).
@Suite(.serialized) struct RefusalTests {
    static let acme = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"

    @Test func aPassphraseVaultStartsSealedAndAnswersOnceUnsealed() throws {
        let d = try DaemonHarness()
        // The vault is put under a passphrase, and the configuration names no key file.
        let pass = d.s.root + "/passphrase", wrong = d.s.root + "/wrong"
        for (file, text) in [(pass, d.s.token("pass") + "\n"), (wrong, d.s.token("nope") + "\n")] {
            FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            SuiteSweep.input(file)
            SuiteSweep.canary("password", text.trimmingCharacters(in: .newlines))
        }
        let rekey = try d.s.vv(["rekey", "--new-passphrase-file", pass] + d.cfg)
        #expect(rekey.code == 0, "\(rekey.all)")
        let config = try String(contentsOfFile: d.config, encoding: .utf8)
        try config.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("key_file") }.joined(separator: "\n")
            .write(toFile: d.config, atomically: true, encoding: .utf8)

        let serve = try Binary.start(["serve"] + d.cfg)
        defer { if serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL); serve.process.waitUntilExit() } }
        var health = ""
        for _ in 0..<200 where !health.contains("\"status\"") {
            usleep(25_000)
            health = (try? d.curl(["http://v/v1/health"])) ?? ""
        }
        #expect(health.contains(#""status":"sealed""#) && health.contains("run `vobiz-vault unseal`"), "\(health)")
        // Health is 503 while sealed, so a probe need read only the status code.
        #expect(try d.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://v/v1/health"]) == "503")
        // Sealed: nothing is issued, and the caller is told why.
        let code = try d.curl(["-o", "/dev/null", "-w", "%{http_code}", "-d", #"{"method":"GET","url":"\#(Self.acme)"}"#, "http://v/v1/headers"])
        #expect(code == "503")
        let refused = try d.headers("GET", Self.acme)
        #expect(problemType(refused) == "sealed" && (refused["detail"] as? String)?.contains("vobiz-vault unseal") == true, "\(refused)")
        #expect(problemType(try d.headers("GET", "https://api.vobiz.ai/api/v1/partner/me")) == "sealed")
        // A wrong passphrase changes nothing.
        let bad = try d.s.vv(["unseal", "--passphrase-file", wrong] + d.cfg)
        #expect(bad.code != 0 && bad.err.contains("does not open"), "\(bad.all)")
        #expect(problemType(try d.headers("GET", Self.acme)) == "sealed")
        // Unsealed through the admin socket: answers.
        let unseal = try d.s.vv(["unseal", "--passphrase-file", pass] + d.cfg)
        #expect(unseal.code == 0, "\(unseal.all)")
        #expect(try d.curl(["http://v/v1/health"]).contains(#""status":"ok""#))
        #expect(try d.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://v/v1/health"]) == "200")
        let answer = try d.headers("GET", Self.acme)
        #expect(answer["mode"] as? String == "sealed" && (answer["headers"] as? [String: Any])?["X-Vault-Signature"] != nil, "\(answer)")
        let rows = try d.s.vv(["audit", "tail", "-n", "1000", "--json"] + d.cfg)
        let events = (try JSONSerialization.jsonObject(with: Data(rows.out.utf8)) as? [String: Any])?["events"] as? [[String: Any]] ?? []
        // The refusals while sealed are kept and written to the log once it can be (the audit key
        // comes with the passphrase), each with its reason.
        let headers = events.filter { $0["op"] as? String == "headers" }
        #expect(headers.map { $0["reason"] as? String ?? "ok" } == ["sealed", "sealed", "sealed", "sealed", "ok"], "\(headers)")
        kill(serve.process.processIdentifier, SIGTERM)
        serve.process.waitUntilExit()
        #expect(serve.process.terminationStatus == 0)
        #expect(try d.s.vv(["audit", "verify", "--passphrase-file", pass] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func aGrantsRateIsEnforcedPerCallerUid() throws {
        let d = try DaemonHarness(grants: """
            [[grant]]
            name = "metered"
            uid = [0, 65534]
            credentials = ["MA_*"]
            operations = ["headers"]
            rate = 3
            """)
        try d.start()
        let burst = try d.python("burst.py", [d.client, "12", Self.acme])
        let answers = burst["answers"] as? [[Any]] ?? []
        let ok = answers.filter { $0.first as? Int == 200 }.count
        let limited = answers.filter { $0.first as? Int == 429 && $0.last as? String == "rate_limited" }.count
        // A burst of `rate` (3), plus what refills while the burst runs.
        #expect((3...5).contains(ok) && ok + limited == 12, "\(answers)")
        #expect(answers.prefix(3).allSatisfy { $0.first as? Int == 200 }, "\(answers)")
        // Another uid has its own budget.
        #expect(try d.headers("GET", Self.acme, asNobody: true)["mode"] as? String == "sealed")
        // The budget refills.
        usleep(1_100_000)
        #expect(try d.headers("GET", Self.acme)["mode"] as? String == "sealed")
        // Each refusal is audited with its reason and the grant's name.
        usleep(200_000)
        let refusals = try d.auditJSON().filter { $0["reason"] as? String == "rate_limited" }
        #expect(refusals.count == limited && refusals.allSatisfy { $0["actor_uid"] as? Int == 0 }, "\(refusals)")
        #expect(refusals.allSatisfy { ($0["detail"] as? [String: Any])?["grant"] as? String == "metered" }, "\(refusals)")
        #expect(d.stop() == 0)
    }
}
