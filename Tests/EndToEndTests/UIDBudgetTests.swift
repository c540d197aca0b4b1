import Foundation
import Testing

/// One user must not be able to take every connection of a listener: as `nobody`, hold as
/// many connections as the listener has, then ask as another user.
@Suite(.serialized) struct UIDBudgetTests {
    func hold(_ d: DaemonHarness, _ target: String, count: Int) throws -> (Process, Pipe, String) {
        let ready = d.s.root + "/hog-ready-\(UUID().uuidString.prefix(6))"
        chmod(d.s.root, 0o777)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                       DaemonHarness.pythonDir + "/uid_hog.py", "hold", target, String(count), "3", ready]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: ready) { usleep(25_000) }
        return (p, out, ready)
    }

    func finish(_ p: Process, _ out: Pipe) -> [String: Any] {
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? ["unparsed": String(decoding: data, as: UTF8.self)]
    }

    @Test func oneUserCannotTakeEveryClientConnection() throws {
        let d = try DaemonHarness(limits: "max_connections = 40\nmax_connections_per_uid = 10\nidle_timeout = \"30s\"")
        try d.start()
        defer { d.stop() }
        let (p, out, _) = try hold(d, "unix:" + d.client, count: 40)
        // Another user is still answered while nobody holds all it was allowed.
        let answer = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        #expect(answer["mode"] as? String == "sealed", "\(answer)")
        let r = finish(p, out)
        #expect(r["kept"] as? Int == 10 && r["refused"] as? Int == 30, "\(r)")
    }

    @Test func oneUserCannotTakeEveryTCPConnection() throws {
        let port = freePort()
        let d = try DaemonHarness(sockets: "proxy_tcp = \"127.0.0.1:\(port)\"")
        try d.start()
        defer { d.stop() }
        // The listener takes 256; nobody may hold a quarter of them.
        let (p, out, _) = try hold(d, "tcp:\(port)", count: 256)
        let health = try Process.run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/v1/health"])
        #expect(health.contains("\"ok\""), "\(health)")
        let r = finish(p, out)
        #expect(r["kept"] as? Int == 64 && r["refused"] as? Int == 192, "\(r)")
    }

    /// A connection that only asks for health is closed after idle_timeout all the same.
    @Test func healthChecksDoNotKeepAConnection() throws {
        let d = try DaemonHarness(limits: "idle_timeout = \"2s\"")
        try d.start()
        defer { d.stop() }
        let out = try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                                       DaemonHarness.pythonDir + "/uid_hog.py", "health", "unix:" + d.client, "6"])
        let r = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
        #expect(r["closed"] as? Bool == true && (r["answers"] as? Int ?? 99) <= 5, "\(out)")
    }
}

/// A streamed proxy answer counts against its uid's in-flight budget until its last byte is out:
/// a user cannot hold many slow answers open and still claim a fresh budget.
@Suite(.serialized) struct StreamedBudgetTests {
    @Test func aStalledStreamStillCountsInFlight() throws {
        let grants = """
            [[grant]]
            name = "nobody-proxy"
            uid = 65534
            credentials = ["MA_*"]
            operations = ["headers", "proxy"]
            """
        let (d, mock) = try ProxyTests.vault(grants: grants, limits: "max_in_flight_per_uid = 1\nidle_timeout = \"30s\"")
        defer { d.stop(); mock.stop() }
        chmod(d.s.root, 0o777)
        let out = try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                                       DaemonHarness.pythonDir + "/uid_hog.py", "stream", "unix:" + d.client,
                                                       "/v1/proxy/api/v1/Account/MA_ACME/Big?size=4000000",
                                                       "/v1/proxy/api/v1/Account/MA_ACME/"])
        let r = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
        #expect(r["held"] as? Int == 200 && r["other"] as? Int == 429, "\(out)")
    }
}
