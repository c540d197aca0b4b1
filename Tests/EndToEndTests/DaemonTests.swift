import Foundation
import Testing

@Suite(.serialized) struct DaemonTests {
    @Test func sealedAndRevealedHeadersWithAnIndependentSignatureCheck() throws {
        let d = try DaemonHarness()
        try d.start()
        let health = try d.curl(["http://v/v1/health"])
        #expect(health.contains(#""status":"ok""#))

        // Sealed: verified by libsodium from Python against GET /v1/keys.
        let v = try d.python("verify_sealed.py", [d.client, "POST", "https://api.vobiz.ai/api/v1/partner/accounts", #"{"name":"x"}"#])
        #expect(v["valid"] as? Bool == true, "\(v)")
        #expect(v["tampered_method"] as? Bool == false && v["tampered_url"] as? Bool == false && v["tampered_body"] as? Bool == false)
        #expect(v["lifetime"] as? Int == 60 && v["content_type"] as? String == "application/json" && v["auth_id"] as? String == "PA_MAIN")
        let get = try d.python("verify_sealed.py", [d.client, "GET", "https://API.vobiz.ai/api/v1/Account/MA_ACME/Call/?page=2"])
        #expect(get["valid"] as? Bool == true && get["content_type"] is NSNull, "\(get)")

        // Revealed: the grant for MA_BETA reveals the token itself.
        let r = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_BETA/Call/")
        let h = r["headers"] as? [String: Any]
        #expect(r["mode"] as? String == "revealed" && h?["X-Auth-Token"] as? String == d.s.token("beta"))
        #expect((r["credential"] as? [String: Any])?["auth_id"] as? String == "MA_BETA")
        d.s.captured.removeAll { $0.contains(d.s.token("beta")) } // the revealed answer is the one place a token may appear

        // Audit rows name caller, grant, operation, credential, method and path without query.
        let rows = try d.auditJSON().filter { $0["op"] as? String == "headers" }
        #expect(rows.count == 3)
        let detail = rows[1]["detail"] as? [String: Any]
        #expect(detail?["grant"] as? String == "root" && detail?["path"] as? String == "/api/v1/Account/MA_ACME/Call/")
        #expect(rows[1]["actor_uid"] as? Int == 0 && (rows[1]["actor_exe"] as? String)?.contains("python") == true)
        #expect(d.stop() == 0)
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func scopeTable() throws {
        let d = try DaemonHarness()
        try d.start()
        let t = try d.python("scope_table.py", [d.client])
        #expect((t["wrong"] as? [Any])?.isEmpty == true, "\(t)")
        #expect(t["cases"] as? Int ?? 0 > 25)
    }

    @Test func anotherUidIsRefusedAndAudited() throws {
        let d = try DaemonHarness()
        try d.start()
        let r = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/", asNobody: true)
        #expect(problemType(r) == "not_granted", "\(r)")
        let refusal = try d.auditJSON().last
        #expect(refusal?["actor_uid"] as? Int == 65534 && refusal?["outcome"] as? String == "refused" && refusal?["reason"] as? String == "not_granted")
        // The admin socket is not even reachable for that uid.
        let admin = try d.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://v/v1/health"], socket: d.admin, asNobody: true)
        #expect(admin == "000")
    }

    @Test func hostileClientsDoNotBringItDown() throws {
        // 1,000 connections at once from this one uid: the per-uid budget is raised to the cap.
        let d = try DaemonHarness(limits: "read_timeout = \"2s\"\nidle_timeout = \"5s\"\nmax_connections_per_uid = 1024")
        try d.start()
        let a = try d.python("abuse.py", [d.client, "2"])
        #expect((a["oversize_body"] as? [Any])?.first as? Int == 413 && (a["oversize_body"] as? [Any])?.last as? String == "payload_too_large", "\(a)")
        #expect((a["oversize_streamed"] as? [Any])?.first as? Int == 413 && (a["oversize_streamed"] as? [Any])?.last as? String == "payload_too_large",
                "\(a)")
        #expect((a["oversize_chunked"] as? String)?.hasPrefix("HTTP/1.1 413") == true && (a["oversize_chunked_seconds"] as? Double ?? 9) < 1.5,
                "\(a)")
        #expect(a["oversize_headers_type"] as? Bool == true, "\(a)")
        #expect((a["announced_oversize"] as? String)?.hasPrefix("HTTP/1.1 413") == true && (a["announced_oversize_seconds"] as? Double ?? 9) < 1,
                "\(a)")
        #expect((a["garbage_status"] as? String)?.hasPrefix("HTTP/1.1 400") == true, "\(a)")
        #expect(a["good_after_abuse"] as? Bool == true)
        #expect(a["stall_closed"] as? Bool == true && (a["stall_seconds"] as? Double ?? 99) < 6, "\(a)")
        #expect(a["concurrent_ok"] as? Int == 1000, "\(a)")
        #expect(a["good_while_1000_open"] as? Bool == true && a["good_at_end"] as? Bool == true)
        #expect(d.process?.isRunning == true)
    }

    @Test func adminCommandsGoThroughTheDaemonWithTheSameOutput() throws {
        let d = try DaemonHarness()
        let offline = try d.s.vv(["list"] + d.cfg)
        let offlineDue = try d.s.vv(["due", "--within", "100d", "--json"] + d.cfg)
        try d.start()
        let online = try d.s.vv(["list"] + d.cfg)
        #expect(online.code == 0 && online.out == offline.out, "\(online.err)")
        let onlineDue = try d.s.vv(["due", "--within", "100d", "--json"] + d.cfg)
        #expect(onlineDue.out.count == offlineDue.out.count)
        let rot = try d.s.vv(["rotate", "MA_ACME", "--reason", "through the daemon"] + d.cfg, stdin: d.s.token("acme-2"))
        #expect(rot.code == 0 && rot.out.contains("version 2 active"), "\(rot.err)")
        let same = try d.s.vv(["rotate", "MA_ACME"] + d.cfg, stdin: d.s.token("acme-2"))
        #expect(same.code == 1 && same.err.contains("already active"))
        let env = try d.s.vv(["import", "--from-env", "--label", "from env"] + d.cfg,
                             env: ["VOBIZ_AUTH_ID": "MA_ENVD", "VOBIZ_AUTH_TOKEN": d.s.token("envd")])
        #expect(env.code == 0 && env.out.contains("imported MA_ENVD"), "\(env.err)")
        // No command line runs inside the daemon: the admin socket has typed endpoints only.
        let raw = try d.curl(["-d", #"{"args":["exec","--credential","MA_BETA","--","/bin/true"]}"#, "http://v/v1/admin/run/exec"], socket: d.admin)
        #expect(raw.contains("not_found"), "\(raw)")
        let remind = try d.s.vv(["remind"] + d.cfg)
        #expect(remind.code == 2 && remind.out.contains("CRITICAL MA_GONE"))
        let rotatedBy = try d.auditJSON().last { $0["op"] as? String == "rotate" }
        #expect(rotatedBy?["actor_uid"] as? Int == 0 && rotatedBy?["actor_pid"] is Int)
        // Rekeying the data key inside the running daemon: it goes on with the new keys.
        let before = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_BETA/Call/")
        let rekey = try d.s.vv(["rekey", "--data-key"] + d.cfg)
        #expect(rekey.code == 0, "\(rekey.err)")
        let after = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_BETA/Call/")
        #expect((after["headers"] as? [String: Any])?["X-Auth-Token"] as? String == d.s.token("beta"))
        #expect((after["credential"] as? [String: Any])?["fingerprint"] as? String != (before["credential"] as? [String: Any])?["fingerprint"] as? String)
        d.s.captured.removeAll { $0.contains(d.s.token("beta")) }
        #expect(try d.s.vv(["rotate", "MA_BETA"] + d.cfg, stdin: d.s.token("beta-2")).code == 0)
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        for name in ["vobiz_vault_requests_total", "vobiz_vault_request_duration_seconds_bucket", "vobiz_vault_credentials{state=\"revoked\"} 1",
                     "vobiz_vault_rotation{standing=\"revoked\"} 1", "vobiz_vault_rotation{standing=\"overdue\"} 0",
                     "vobiz_vault_rotation_next_due_seconds "] {
            #expect(metrics.contains(name), "missing \(name)")
        }
        // Rotation standing is counted, never one series per credential.
        #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("vobiz_vault_rotation") && $0.contains("auth_id") }, "\(metrics)")
        #expect(d.stop() == 0)
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func sighupWithABrokenPolicyKeepsTheOldOne() throws {
        let d = try DaemonHarness()
        try d.start()
        let url = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"
        #expect(try d.headers("GET", url)["mode"] as? String == "sealed")
        let good = try String(contentsOfFile: d.config, encoding: .utf8)
        try (good + "\n[[grant]\n").write(toFile: d.config, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        usleep(300_000)
        #expect(try d.headers("GET", url)["mode"] as? String == "sealed")
        #expect(d.log().contains("reload failed; keeping the policy in force"))
        let check = try d.s.vv(["policy", "check", "--uid", "0", "GET", url] + d.cfg + ["--state-dir", d.s.state, "--admin-socket", d.admin])
        #expect(check.code == 0 && check.out.contains("does not load") && check.out.contains("allowed by grant \"root\""), "\(check)")
        // A good file that drops the grant takes effect.
        try good.replacingOccurrences(of: "name = \"root\"\nuid = 0", with: "name = \"root\"\nuid = 4242")
            .write(toFile: d.config, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        usleep(300_000)
        #expect(problemType(try d.headers("GET", url)) == "not_granted")
        #expect(d.stop() == 0)
    }

    @Test func killDashNineMidLoadLosesNoCredential() throws {
        let d = try DaemonHarness()
        try d.start()
        // Readers: headers requests until the daemon is gone; each prints how many were answered
        // and keeps the count in a file while it runs.
        let counts = (0..<2).map { d.s.root + "/answered-\($0)" }
        let readers = try counts.map { file in
            try Binary.start(["-c", """
                import sys; sys.path.insert(0, '\(DaemonHarness.pythonDir)')
                from vault_client import call
                n = 0
                try:
                    while True:
                        status, _, _ = call('\(d.client)', 'POST', '/v1/headers', {'method': 'GET', 'url': 'https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/'})
                        assert status == 200, status
                        n += 1
                        if n % 20 == 0:
                            open('\(file)', 'w').write(str(n))
                except Exception:
                    pass
                print(n)
                """], executable: "/usr/bin/python3")
        }
        // Writers: rotations of one credential and imports of new ones, through the admin socket.
        let stop = d.s.root + "/stop-writes"
        let logs = ["rotate", "import"].map { d.s.root + "/writes-\($0).jsonl" }
        let writers = try zip(["rotate", "import"], logs).map { mode, log in
            try Binary.start([DaemonHarness.pythonDir + "/admin_writes.py", Binary.path, d.config, log, stop, mode, d.s.canary],
                             executable: "/usr/bin/python3")
        }
        func entries(_ log: String) -> [[String: Any]] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        // Kill only once requests have been answered and writes committed through the daemon.
        func loaded() -> Bool {
            counts.allSatisfy { Int((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "") ?? 0 >= 200 }
                && logs.allSatisfy { entries($0).filter { $0["code"] as? Int == 0 }.count >= 3 }
        }
        for _ in 0..<1000 where !loaded() { usleep(20_000) }
        let killedAt = Date().timeIntervalSince1970
        d.stop(signal: SIGKILL)
        FileManager.default.createFile(atPath: stop, contents: nil)
        let answered = readers.map { r -> Int in
            let out = r.out.fileHandleForReading.readDataToEndOfFile()
            r.process.waitUntilExit()
            return Int(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        for w in writers { w.process.waitUntilExit() }
        #expect(answered.allSatisfy { $0 >= 200 }, "the load did not run: \(answered) answered")
        let rotations = entries(logs[0]), imports = entries(logs[1])
        // Writes were in flight: a command that started before the kill and ended after it.
        let spanning = (rotations + imports).filter { ($0["start"] as? Double ?? .infinity) < killedAt && ($0["end"] as? Double ?? 0) > killedAt }
        #expect(!spanning.isEmpty, "no write was in flight at the kill")
        let committedBefore = (rotations + imports).filter { $0["code"] as? Int == 0 && ($0["end"] as? Double ?? .infinity) < killedAt }
        #expect(committedBefore.count >= 6, "\(committedBefore.count) writes answered before the kill")

        // Nothing committed is lost: offline, every write whose command succeeded is there.
        let verify = try d.s.vv(["audit", "verify"] + d.cfg)
        #expect(verify.code == 0, "\(verify.all)")
        let show = try d.s.vv(["show", "MA_ACME", "--json"] + d.cfg)
        let versions = (try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any])?["versions"] as? [[String: Any]] ?? []
        let stored = Dictionary(versions.map { ($0["version"] as? Int ?? -1, $0["fingerprint"] as? String ?? "") }) { a, _ in a }
        let rotated = rotations.filter { $0["code"] as? Int == 0 }.compactMap { e -> (Int, String)? in
            // "rotated MA_ACME: version N active (fingerprint F); …"
            let out = e["out"] as? String ?? ""
            guard let v = out.firstMatch(of: /version (\d+) active \(fingerprint ([0-9a-f]+)\)/) else { return nil }
            return (Int(v.1)!, String(v.2))
        }
        #expect(rotated.count == rotations.filter { $0["code"] as? Int == 0 }.count && rotated.count >= 3)
        for (version, fingerprint) in rotated { #expect(stored[version] == fingerprint, "rotation to version \(version) was lost") }
        let list = try d.s.vv(["list", "--json"] + d.cfg)
        let creds = (try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["credentials"] as? [[String: Any]] ?? []
        let ids = Set(creds.compactMap { $0["auth_id"] as? String })
        let imported = imports.filter { $0["code"] as? Int == 0 }.compactMap { $0["i"] as? Int }.map { "MA_W\($0)" }
        #expect(imported.count >= 3 && imported.allSatisfy(ids.contains), "imports lost: \(imported.filter { !ids.contains($0) })")
        #expect(creds.allSatisfy { $0["active_version"] is Int })
        #expect(creds.first { $0["auth_id"] as? String == "MA_ACME" }?["active_version"] as? Int ?? 0 >= rotated.map(\.0).max() ?? 1)
        try d.start()
        #expect(try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")["mode"] as? String == "sealed")
        #expect(d.stop() == 0)
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func socketActivation() throws {
        let d = try DaemonHarness()
        try FileManager.default.createDirectory(atPath: d.s.root + "/run", withIntermediateDirectories: true)
        let r = try d.python("socket_activate.py", [Binary.path, d.config, d.client, d.admin])
        #expect((r["health"] as? [String: Any])?["status"] as? String == "ok", "\(r)")
        #expect((r["admin"] as? [String: Any])?["status"] as? String == "ok", "\(r)")
        #expect(r["exit"] as? Int == 0)
        let notes = (r["notify"] as? [String]) ?? []
        for state in ["READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"] {
            #expect(notes.contains { $0.hasPrefix(state) }, "no \(state) in \(notes)")
        }
        #expect(r["core"] as? [String] == ["0", "0"], "core dumps are not off: \(r["core"] ?? "")")
        // The sockets came with a backlog of 16; the daemon sets its own (max_connections, at least 1,024).
        #expect(r["backlog"] as? [String: Int] == ["client": 1024, "admin": 1024], "\(r["backlog"] ?? "")")
    }

    @Test func headersAndExecCommands() throws {
        let d = try DaemonHarness()
        try d.start()
        let curl = try d.s.vv(["headers", "GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/", "--format", "curl"] + d.cfg)
        #expect(curl.code == 0 && curl.out.contains("X-Auth-ID: MA_ACME\n") && curl.out.contains("X-Vault-Signature: v1; kid="), "\(curl.err)")
        let refused = try d.s.vv(["headers", "DELETE", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"] + d.cfg)
        #expect(refused.code == 1 && refused.err.contains("not_granted"))
        let exec = try d.s.vv(["exec", "--credential", "MA_BETA"] + d.cfg + ["--", "/bin/sh", "-c", "echo $VOBIZ_AUTH_ID ${#VOBIZ_AUTH_TOKEN}"])
        #expect(exec.code == 0 && exec.out == "MA_BETA \(d.s.token("beta").count)\n", "\(exec.err)")
        let sealedOnly = try d.s.vv(["exec", "--credential", "MA_ACME"] + d.cfg + ["--", "/bin/true"])
        #expect(sealedOnly.code == 1 && sealedOnly.err.contains("reveal"))
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func socketPathsOwnedByOthersOrSymlinksAreRefused() throws {
        let d = try DaemonHarness()
        // The socket directory is a symlink: the daemon refuses to start rather than follow it.
        try FileManager.default.createDirectory(atPath: d.s.root + "/elsewhere", withIntermediateDirectories: true)
        symlink(d.s.root + "/elsewhere", d.s.root + "/run")
        let r = try Binary.run(["serve"] + d.cfg, timeout: 20)
        #expect(r.code != 0 && r.err.contains("symlinks are refused"), "\(r.err)")
        unlink(d.s.root + "/run")
        // A regular file where the socket goes is not replaced.
        try FileManager.default.createDirectory(atPath: d.s.root + "/run", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: d.client, contents: Data("mine".utf8))
        let r2 = try Binary.run(["serve"] + d.cfg, timeout: 20)
        #expect(r2.code != 0 && r2.err.contains("is not a socket"), "\(r2.err)")
        #expect(try String(contentsOfFile: d.client, encoding: .utf8) == "mine")
    }

    @Test func clientRefusesASocketServedByAnotherUser() throws {
        let d = try DaemonHarness(extra: "")
        try d.start()
        // Expect the daemon to run as nobody: root's daemon on the socket is then an impostor.
        var text = try String(contentsOfFile: d.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "client_group = \"nogroup\"", with: "client_group = \"nogroup\"\ndaemon_user = \"nobody\"")
        let other = d.s.root + "/client.toml"
        try text.write(toFile: other, atomically: true, encoding: .utf8)
        let r = try d.s.vv(["headers", "GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/", "--config", other])
        #expect(r.code == 1 && r.err.contains("served by uid 0, not the vault's uid 65534"), "\(r.err)")
        #expect(d.stop() == 0)
    }
}
