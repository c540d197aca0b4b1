import Foundation
import Testing

/// `vobiz-vault exec --proxy` (Docs/proxy.md): a program written for VOBIZ_AUTH_ID and
/// VOBIZ_AUTH_TOKEN — the official Vobiz Python SDK — runs without the token, through a
/// loopback listener the daemon opens for it alone.
@Suite(.serialized) struct ExecProxyTests {
    static let child = DaemonHarness.pythonDir + "/exec_proxy_child.py"

    /// What the child wrote: its three variables and the SDK's answers.
    static func childReport(_ path: String, within seconds: Double = 30) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: path) { return ProxyTests.json(String(decoding: data, as: UTF8.self)) }
            usleep(20_000)
        }
        Issue.record("the child wrote no report to \(path)")
        return [:]
    }

    /// `curl` to the listener: (curl's exit code, HTTP status, body).
    static func call(_ url: String, token: String, asUID uid: Int? = nil) throws -> (Int32, Int, String) {
        let curl = ["curl", "-s", "--max-time", "10", "-w", "\n%{http_code}", "-H", "X-Auth-Token: \(token)", "-H", "X-Auth-ID: MA_ACME", url]
        let argv = uid.map { ["setpriv", "--reuid=\($0)", "--regid=\($0)", "--clear-groups"] + curl } ?? curl
        let r = try Binary.run(argv, executable: "/usr/bin/env")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false)
        return (r.code, Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// `exec --proxy` running the child until `hold` exists; what the child reported.
    static func startHeld(_ d: DaemonHarness) throws -> (Binary.Running, [String: Any], hold: String) {
        let venv = try PythonVenv.withVobizSDK()
        let report = d.s.root + "/child.json", hold = d.s.root + "/release"
        let exec = try Binary.start(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", venv.python, Self.child, report, hold])
        return (exec, try childReport(report), hold)
    }

    @Test func theSDKCallsThroughItsOwnListenerWithoutEverHoldingTheToken() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let venv = try PythonVenv.withVobizSDK()
        let report = d.s.root + "/child.json"
        let r = try d.s.vv(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", venv.python, Self.child, report],
                           env: ["CHILD_EXIT": "3", "HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
                                 "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"])
        // The program's own status comes back; an HTTP proxy in its environment (a dead one here)
        // never sees its calls.
        #expect(r.code == 3, "\(r.all)")
        let seen = try Self.childReport(report)
        d.s.captured.append("\(seen)")
        let standIn = seen["token"] as? String ?? ""
        #expect(seen["auth_id"] as? String == "MA_ACME" && standIn.hasPrefix("vvx_") && !standIn.contains(d.s.canary), "\(seen)")
        #expect((seen["base_url"] as? String ?? "").hasPrefix("http://127.0.0.1:"), "\(seen)")
        #expect(seen["list_objects"] as? Int == 1 && seen["create_message"] as? String == "call fired", "\(seen)")
        // Another customer's path is refused: the listener serves its session's credential only.
        #expect(seen["other_customer"] as? Int == 403, "\(seen)")
        let upstream = try mock.requests()
        #expect(upstream.count == 2 && upstream.allSatisfy { $0["token_ok"] as? Bool == true && $0["auth_id"] as? String == "MA_ACME" },
                "\(upstream)")
        // Audited as the child: its pid and executable, under the grant of the caller.
        let rows = try d.auditJSON()
        let proxied = rows.filter { $0["op"] as? String == "proxy" && ($0["detail"] as? [String: Any])?["mode"] as? String == "exec" }
        let childPID = seen["pid"] as? Int ?? -1
        #expect(proxied.count == 2 && proxied.allSatisfy {
            $0["actor_pid"] as? Int == childPID && ($0["actor_exe"] as? String ?? "").contains("python")
                && ($0["detail"] as? [String: Any])?["grant"] as? String == "app"
        }, "\(proxied)")
        let execRows = rows.filter { $0["op"] as? String == "exec" }
        let steps = execRows.compactMap { ($0["detail"] as? [String: Any])?["mode"] as? String }
        // Naming and closing the session name the program; opening it, the caller.
        #expect(execRows.map { $0["actor_pid"] as? Int == childPID } == [false, true, true], "\(execRows)")
        // Closed by exec once the program has exited, or by the daemon's own watch, whichever came first.
        #expect(steps.count == 3 && steps.prefix(2) == ["open", "attached"]
                && ["closed: closed by the caller", "closed: the program exited"].contains(steps.last ?? ""), "\(steps)")
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func aLeakedStandInIsWorthlessToAnotherUidAndOnceTheChildExits() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let (exec, seen, hold) = try Self.startHeld(d)
        let base = seen["base_url"] as? String ?? "http://127.0.0.1:9", standIn = seen["token"] as? String ?? ""
        let url = base + "/api/v1/Account/MA_ACME/Call/"
        // The same uid with the stand-in is served (the program, or anything it runs).
        let own = try Self.call(url, token: standIn)
        #expect(own.1 == 200, "\(own)")
        // Another local user holding the leaked value: its connection is closed unanswered, and
        // nothing goes out.
        let other = try Self.call(url, token: standIn, asUID: 65534)
        #expect(other.0 != 0 && other.1 == 0 && other.2.isEmpty, "\(other)")
        // The same user sending and letting go of its socket at once, so that the daemon finds it
        // closed (the kernel then names no owner, which must not read as root's): nothing goes out.
        let race = try Binary.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "python3",
                                   DaemonHarness.pythonDir + "/exec_listener_race.py", base, standIn, "400"],
                                  timeout: 120, executable: "/usr/bin/env")
        #expect(race.out.contains("\"sent\": 400"), "\(race.all)")
        // The right uid without the stand-in: refused.
        let guessed = try Self.call(url, token: "vvx_" + String(repeating: "0", count: 64))
        #expect(guessed.1 == 403 && guessed.2.contains("stand-in"), "\(guessed)")
        #expect(try mock.requests().count == 3, "only the child's two calls and the control went out")
        FileManager.default.createFile(atPath: hold, contents: Data())
        exec.process.waitUntilExit()
        #expect(exec.process.terminationStatus == 0)
        // Once the child has exited, the listener is gone: the value opens nothing.
        let after = try Self.call(url, token: standIn)
        #expect(after.0 == 7, "curl should find nothing listening: \(after)")
        #expect(try mock.requests().count == 3)
        // The refusals are in the log (uid 65534's first, the rest within its refusal budget), beside
        // the child's own refused call to another customer.
        let refusals = try d.auditJSON().filter { $0["op"] as? String == "proxy" && $0["outcome"] as? String == "refused" }
            .compactMap { ($0["detail"] as? [String: Any])?["detail"] as? String }
        #expect(refusals.contains { $0.contains("uid 65534") } && refusals.contains { $0.contains("stand-in") }
                && refusals.contains { $0.contains("another customer") || $0.contains("scope") || $0.contains("MA_BETA") }, "\(refusals)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// Another user trying to bind the program's port: `refused 98` (EADDRINUSE) or `bound`.
    static func grabPort(_ port: Int) throws -> String {
        let script = """
            import socket
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", \(port)))
                s.listen()
                print("bound")
            except OSError as e:
                print("refused", e.errno)
            """
        return try Binary.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "python3", "-c", script],
                              executable: "/usr/bin/env").out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func thePortStaysTheProgramsWhileExecRunsEvenIfTheDaemonStops() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        // A program that has made no call: no connection of its own holds the port.
        let report = d.s.root + "/base-url", hold = d.s.root + "/release"
        let exec = try Binary.start(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", "/bin/sh", "-c",
            "printf %s \"$VOBIZ_BASE_URL\" > \(report).part && mv \(report).part \(report); while [ ! -e \(hold) ]; do sleep 0.05; done"])
        for _ in 0..<3000 where !FileManager.default.fileExists(atPath: report) { usleep(10_000) }
        let base = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let port = URL(string: base)?.port ?? 0
        #expect(port > 0, "\(base)")
        d.stop()
        // The daemon's socket is gone; exec's share of the listener keeps the port, so the
        // program's later calls cannot reach a listener another user put there.
        #expect(try Self.grabPort(port) == "refused 98")
        FileManager.default.createFile(atPath: hold, contents: Data())
        exec.process.waitUntilExit()
        #expect(exec.process.terminationStatus == 0)
    }

    @Test func theDaemonClosesTheListenerWhenTheChildExitsEvenIfExecWasKilled() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let (exec, seen, hold) = try Self.startHeld(d)
        let url = (seen["base_url"] as? String ?? "http://127.0.0.1:9") + "/api/v1/Account/MA_ACME/Call/"
        // Not waited for: the program holds the pipes of the process killed.
        kill(exec.process.processIdentifier, SIGKILL)
        usleep(200_000)
        // The program still runs, and its listener still serves it.
        #expect(try Self.call(url, token: seen["token"] as? String ?? "").1 == 200)
        FileManager.default.createFile(atPath: hold, contents: Data())
        // The program has exited once it is gone or a zombie (nobody may reap it here).
        let childPID = Int32(seen["pid"] as? Int ?? 0)
        let exited = Date().addingTimeInterval(30)
        while childPID > 0 && Date() < exited, let stat = try? String(contentsOfFile: "/proc/\(childPID)/stat", encoding: .utf8),
              stat.split(separator: ")").last?.split(separator: " ").first != "Z" { usleep(10_000) }
        // The daemon watches the program itself: its listener closes within a moment.
        let deadline = Date().addingTimeInterval(2)
        var last = try Self.call(url, token: seen["token"] as? String ?? "")
        while last.0 != 7 && Date() < deadline {
            usleep(50_000)
            last = try Self.call(url, token: seen["token"] as? String ?? "")
        }
        #expect(last.0 == 7, "the listener outlived its program: \(last)")
        let steps = try d.auditJSON().filter { $0["op"] as? String == "exec" }.compactMap { ($0["detail"] as? [String: Any])?["mode"] as? String }
        #expect(steps.last == "closed: the program exited", "\(steps)")
    }
}

/// The session endpoints against a caller trying to borrow a session, or to open one it may not.
@Suite(.serialized) struct ExecSessionAttackTests {
    @Test func aSessionServesOnlyAChildOfItsOpenerRunningAsItsUid() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let out = try Process.run("/usr/bin/python3", [DaemonHarness.pythonDir + "/exec_session_attack.py", d.client])
        let r = ProxyTests.json(out)
        func seen(_ k: String) -> String { (r[k] as? [Any]).map { "\($0[0]) \(($0[1] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "-")" } ?? "missing" }
        #expect(seen("open") == "201 -", "\(out)")
        // The listener's descriptor goes to the process that opened the session, not to another.
        // The listener's port goes to the process that opened the session, not to another, and
        // as a socket of its own that does not listen: nothing done to it reaches the daemon.
        #expect(r["handoff_other_process"] as? String == "none" && r["handoff_opener"] as? String == "127.0.0.1 0", "\(out)")
        #expect((r["health_after_handoff"] as? [Any])?.first as? Int == 200, "\(out)")
        #expect(seen("init_pid") == "403 not_granted" && seen("own_pid") == "403 not_granted", "\(out)")
        #expect(seen("other_uid_child") == "403 not_granted", "\(out)")
        #expect(seen("bad_pid") == "400 bad_request" && seen("extra_field") == "400 bad_request", "\(out)")
        #expect(seen("other_process") == "404 not_found", "\(out)")
        #expect(seen("own_child") == "200 -" && seen("again") == "400 bad_request", "\(out)")
        #expect(seen("unknown_session") == "404 not_found" && seen("close") == "204 -", "\(out)")
        #expect(try mock.requests().isEmpty)
        // Every refused attempt is in the log: the three wrong programs, the two bad bodies, the
        // other process, the second naming and the unknown session.
        let refused = try d.auditJSON().filter { $0["op"] as? String == "exec" && $0["outcome"] as? String == "refused" }
        #expect(refused.count == 8, "\(refused)")
    }

    @Test func withoutAProxyGrantNothingRunsAndTheStatusSaysTheVaultRefused() throws {
        let (d, mock) = try ProxyTests.vault(grants: """
            [[grant]]
            name = "headers-only"
            uid = 0
            credentials = ["MA_*"]
            operations = ["headers"]
            """)
        defer { withExtendedLifetime((d, mock)) {} }
        let marker = d.s.root + "/ran"
        let refused = try d.s.vv(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", "/usr/bin/touch", marker])
        #expect(refused.code == 125 && refused.err.contains("not_granted"), "\(refused.all)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let unknown = try d.s.vv(["exec", "--proxy", "--credential", "MA_NOTHELD"] + d.cfg + ["--", "/usr/bin/touch", marker])
        #expect(unknown.code == 125 && unknown.err.contains("unknown_credential"), "\(unknown.all)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let rows = try d.auditJSON().filter { $0["op"] as? String == "exec" }
        #expect(rows.count == 2 && rows.allSatisfy { $0["outcome"] as? String == "refused" }, "\(rows)")
    }

    @Test func aProgramThatCannotRunEndsItsSessionWithTheStatusOfEnv() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let missing = try d.s.vv(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", "/nonexistent/program"])
        #expect(missing.code == 127 && missing.err.contains("cannot run /nonexistent/program"), "\(missing.all)")
        let notExecutable = try d.s.vv(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", d.config])
        #expect(notExecutable.code == 126, "\(notExecutable.all)")
        let steps = try d.auditJSON().filter { $0["op"] as? String == "exec" }.compactMap { ($0["detail"] as? [String: Any])?["mode"] as? String }
        #expect(steps == ["open", "closed: closed by the caller", "open", "closed: closed by the caller"], "\(steps)")
        // Each refusal of the session endpoints is audited.
        // The status of a program killed by a signal is 128 + its number, as a shell reports it.
        let killed = try d.s.vv(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg + ["--", "/bin/sh", "-c", "kill -TERM $$"])
        #expect(killed.code == 128 + 15, "\(killed.all)")
        // SIGTERM sent to exec is passed on to the program, whose own status comes back.
        let ready = d.s.root + "/trapping"
        let trapping = try Binary.start(["exec", "--proxy", "--credential", "MA_ACME"] + d.cfg
                                        + ["--", "/bin/sh", "-c", "trap 'exit 7' TERM; touch \(ready); while :; do sleep 0.05; done"])
        for _ in 0..<3000 where !FileManager.default.fileExists(atPath: ready) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: ready), "the program never started")
        kill(trapping.process.processIdentifier, SIGTERM)
        trapping.process.waitUntilExit()
        #expect(trapping.process.terminationStatus == 7)
    }
}
