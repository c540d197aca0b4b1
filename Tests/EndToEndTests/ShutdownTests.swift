import Foundation
import Testing

/// `SIGTERM` and `SIGINT` drain: a request already being answered gets its whole answer, its
/// audit row is committed, new connections are refused, and the daemon exits 0 (DESIGN §7,
/// issue 3 §1).
@Suite(.serialized) struct ShutdownTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func stopSignalLetsAnInFlightRequestFinishAndRefusesNewConnections(_ signal: Int32) throws {
        let s = try Scratch()
        let mock = try MockVobiz(s, tokens: MockVobiz.standardTokens(s))
        // The upstream answers slowly (the call's timeout is well past the delay).
        let upstream = """
            [upstream]
            base_url = "\(mock.origin)"
            allow_insecure_upstream = true
            timeout = "20s"
            """
        let d = try DaemonHarness(grants: ProxyTests.grants, extra: upstream, scratch: s)
        try d.start()
        // Long enough for the request to be seen at the upstream, the signal sent and a new
        // connection refused, however busy the machine.
        let delay = 8.0
        try mock.mode(delay: delay)
        let inFlight = try Binary.start(["-c", """
            import json, sys, time; sys.path.insert(0, '\(DaemonHarness.pythonDir)')
            from vault_client import call
            status, answer, _ = call('\(d.client)', 'GET', '/v1/proxy/api/v1/Account/MA_ACME/Call/?page=7')
            print(json.dumps({"status": status, "answer": answer, "at": time.time()}))
            """], executable: "/usr/bin/python3")
        // Wait until the request is at the upstream, i.e. inside the daemon, then signal.
        var atUpstream = false
        for _ in 0..<100 where !atUpstream {
            atUpstream = try mock.requests().contains { $0["query"] as? String == "page=7" }
            if !atUpstream { usleep(20_000) }
        }
        #expect(atUpstream, "the request never reached the upstream")
        let pid = d.process!.processIdentifier
        let termAt = Date()
        kill(pid, signal)

        // While the request is still being answered, a new connection is refused.
        var refusedWhileDraining = false
        for _ in 0..<100 where !refusedWhileDraining {
            let code = try d.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://v/v1/health"])
            refusedWhileDraining = code == "000" && inFlight.process.isRunning
            if !refusedWhileDraining { usleep(10_000) }
        }
        #expect(refusedWhileDraining, "a connection made after signal \(signal) was answered, or the request ended early")
        #expect(d.process!.isRunning, "the daemon exited with a request in flight")

        // The in-flight request gets its whole answer, and only then does the daemon exit 0.
        let out = inFlight.out.fileHandleForReading.readDataToEndOfFile()
        inFlight.process.waitUntilExit()
        let r = try JSONSerialization.jsonObject(with: out) as? [String: Any] ?? [:]
        #expect(r["status"] as? Int == 200, "\(r) \(String(decoding: inFlight.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        let objects = (r["answer"] as? [String: Any])?["objects"] as? [[String: Any]]
        #expect(objects?.first?["query"] as? String == "page=7", "\(r)")
        d.process!.waitUntilExit()
        #expect(d.process!.terminationStatus == 0)
        #expect(Date().timeIntervalSince(termAt) >= delay - 1, "the daemon did not wait for the upstream's answer")
        d.process = nil
        #expect(d.log().contains("stopping: draining in-flight requests") && d.log().contains("stopped"))
        // The drained request is in the audit log, and the chain verifies.
        let rows = try d.auditJSON().filter { $0["op"] as? String == "proxy" }
        #expect(rows.count == 1 && rows.first?["outcome"] as? String == "ok", "\(rows)")
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.canaryHits().isEmpty)
    }
}
