import Foundation
import Testing

/// The caller is checked again on every request (DESIGN §5): a process that exec's another
/// program while keeping its connection open is refused on that connection, and the refusal
/// is audited.
@Suite(.serialized) struct CallerRecheckTests {
    @Test func aCallerThatExecsAnotherProgramIsRefusedOnTheSameConnection() throws {
        let d = try DaemonHarness()
        try d.start()
        // Another program: a copy of the interpreter at another path (its /proc/<pid>/exe differs).
        let other = d.s.root + "/other-python"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path, toPath: other)
        let out = try Process.run("/usr/bin/python3", [DaemonHarness.pythonDir + "/exec_caller.py", "first", d.client, other])
        let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        #expect(results.map { $0["stage"] as? String } == ["first", "same", "other"], "\(out)")
        guard results.count == 3 else { return }
        let (first, same, changed) = (results[0], results[1], results[2])
        // One process (one pid) throughout, on one connection.
        #expect(Set(results.compactMap { $0["pid"] as? Int }).count == 1, "\(results)")
        #expect(first["status"] as? Int == 200 && first["mode"] as? String == "sealed", "\(first)")
        // Exec'ing the same program keeps the identity the daemon saw: still answered. This also
        // shows the connection survives the exec, so the refusal below is about the program.
        #expect(same["status"] as? Int == 200 && same["mode"] as? String == "sealed", "\(same)")
        #expect(changed["exe"] as? String == other, "\(changed)")
        #expect(changed["status"] as? Int == 403 && changed["type"] as? String == "not_granted", "\(changed)")
        #expect((changed["detail"] as? String)?.contains("the calling process changed since it connected") == true, "\(changed)")
        #expect(changed["connection"] as? String == "close", "\(changed)")

        // Audited: two answers and then the refusal, all for the same pid.
        usleep(200_000)
        let rows = try d.auditJSON().filter { $0["op"] as? String == "headers" }
        #expect(rows.map { $0["outcome"] as? String } == ["ok", "ok", "refused"], "\(rows)")
        let refusal = rows.last
        #expect(refusal?["reason"] as? String == "not_granted" && refusal?["actor_pid"] as? Int == first["pid"] as? Int, "\(rows)")
        #expect((refusal?["detail"] as? [String: Any])?["method"] as? String == "POST", "\(rows)")
        // The refusal names what the process runs now, and what it ran when it connected.
        let connectedExe = rows.first?["actor_exe"] as? String
        #expect(connectedExe != nil && connectedExe != other, "\(rows)")
        #expect(refusal?["actor_exe"] as? String == other, "\(rows)")
        let why = (refusal?["detail"] as? [String: Any])?["detail"] as? String ?? ""
        #expect(why.contains("it ran \(connectedExe ?? "?") when it connected"), "\(rows)")
        // A fresh connection from the other program is judged on its own (the default grants
        // match uid 0 whatever the program): the refusal was about the change, not the program.
        let fresh = try Process.run(other, ["-c", """
            import sys; sys.path.insert(0, '\(DaemonHarness.pythonDir)')
            from vault_client import call
            print(call('\(d.client)', 'POST', '/v1/headers', {'method': 'GET', 'url': 'https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/'})[0])
            """])
        #expect(fresh == "200\n")
        #expect(d.stop() == 0)
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
    }

    /// A refusal the transport decides is audited under the operation of the route it refused:
    /// a changed caller asking the proxy gets a `proxy` row, not a `headers` one.
    @Test func aTransportRefusalIsAuditedUnderItsRoute() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let other = d.s.root + "/other-python"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path, toPath: other)
        let out = try Process.run("/usr/bin/python3", [DaemonHarness.pythonDir + "/exec_caller.py", "first", d.client, other,
                                                       "/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        #expect(results.last?["status"] as? Int == 403 && results.last?["type"] as? String == "not_granted", "\(out)")
        usleep(200_000)
        let refused = try d.auditJSON().filter { $0["outcome"] as? String == "refused" }
        #expect(refused.count == 1 && refused.first?["op"] as? String == "proxy", "\(refused)")
    }

    /// A daemon running as its own user cannot read another user's `/proc/<pid>/exe` (that
    /// needs `CAP_SYS_PTRACE`): such a caller has no executable, is judged by uid, group and
    /// unit, and is not refused by the per-request re-check for the executable it cannot see.
    @Test func aCallerWhoseExecutableTheDaemonCannotReadIsJudgedByUid() throws {
        let d = try DaemonHarness()
        _ = try Process.run("/usr/bin/env", ["chown", "-R", "65534:65534", d.s.root])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Binary.path, "serve"] + d.cfg
        _ = FileManager.default.createFile(atPath: d.logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: d.logPath))
        p.standardError = log
        p.standardOutput = log
        p.environment = ["PATH": "/usr/bin:/bin"]
        try p.run()
        defer {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: d.client) { usleep(25_000) }
        // Two requests on one connection each time: the re-check runs before every one.
        for _ in 0..<3 {
            let out = try d.curl(["-X", "POST", "-H", "Content-Type: application/json",
                                  "-d", #"{"method":"GET","url":"https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}"#,
                                  "http://v/v1/headers", "--next", "--unix-socket", d.client, "-X", "POST", "-H", "Content-Type: application/json",
                                  "-d", #"{"method":"GET","url":"https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}"#,
                                  "http://v/v1/headers"])
            #expect(out.components(separatedBy: "\"mode\":\"sealed\"").count == 3, "\(out) \(d.log())")
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(d.log())")
        // Audited without an executable: the daemon could not see it. (Back to root's files
        // first: the CLI refuses a state directory another user owns.)
        _ = try Process.run("/usr/bin/env", ["chown", "-R", "0:0", d.s.root])
        let rows = try d.auditJSON().filter { $0["op"] as? String == "headers" }
        #expect(rows.count == 6 && rows.allSatisfy { $0["outcome"] as? String == "ok" && $0["actor_exe"] is NSNull }, "\(rows)")
    }

    /// A program whose path is not valid UTF-8 (a Latin-1 directory name) is the same program on
    /// every request: the re-check compares the link's raw bytes.
    @Test func aCallerAtANonUTF8PathIsAnswered() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        // `caf\xe9` as Latin-1: one byte 0xE9, not UTF-8.
        let script = """
            set -e; dir="$(printf '%s/caf\\351' "$1")"; mkdir -p "$dir"; cp /usr/bin/python3 "$dir/python3"
            "$dir/python3" -c "import sys; sys.path.insert(0, '$2')
            from vault_client import call
            for _ in range(2): print(call('$3', 'POST', '/v1/headers', {'method': 'GET', 'url': 'https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/'})[0])"
            """
        let out = try Process.run("/bin/sh", ["-c", script, "sh", d.s.root, DaemonHarness.pythonDir, d.client])
        #expect(out == "200\n200\n", "\(out) \(d.log())")
        let rows = try d.auditJSON().filter { $0["op"] as? String == "headers" }
        #expect(rows.count == 2 && (rows.first?["actor_exe"] as? String)?.hasSuffix("caf\u{FFFD}/python3") == true, "\(rows)")
    }
}
