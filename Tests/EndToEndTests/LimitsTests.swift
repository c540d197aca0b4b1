import Foundation
import Testing

/// The connection cap and the idle keep-alive timeout of DESIGN §7, set small in `[limits]`.
@Suite(.serialized) struct LimitsTests {
    @Test func connectionsPastTheCapAreRefusedAsRateLimited() throws {
        let d = try DaemonHarness(limits: "max_connections = 5\nidle_timeout = \"30s\"")
        try d.start()
        let r = try d.python("limits.py", [d.client, d.admin, "cap", "5"])
        #expect(r["held_answered"] as? [Int] == [200, 200, 200, 200, 200], "\(r)")
        #expect(r["over_cap_status"] as? Int == 429 && r["over_cap_type"] as? String == "rate_limited", "\(r)")
        #expect(r["over_cap_closed"] as? Bool == true, "\(r)")
        #expect(r["admin_while_full"] as? Int == 200, "\(r)")
        #expect(r["held_still_answered"] as? Int == 200 && r["after_one_closed"] as? Int == 200, "\(r)")
        #expect(d.process?.isRunning == true)
        #expect(d.stop() == 0)
    }

    /// A burst of connects while the daemon is busy queues in the listen backlog, which is sized
    /// to `max_connections` (at least 1024; the kernel caps it at `net.core.somaxconn`): a
    /// non-blocking client past a full backlog fails at once instead of waiting.
    @Test func aBurstOfConnectsUpToTheCapQueuesInTheBacklog() throws {
        let somaxconn = Int((try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        try #require(somaxconn > 1100, "net.core.somaxconn \(somaxconn) is too small to tell a backlog above 1024")
        let burst = min(2000, somaxconn - 16)
        let d = try DaemonHarness(limits: "max_connections = 3000\nmax_connections_per_uid = 3000\nidle_timeout = \"30s\"")
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        defer { kill(pid, SIGCONT) }
        let r = try d.python("limits.py", [d.client, d.admin, "burst", String(burst), String(pid)])
        #expect(r["queued"] as? Int == burst && (r["refused"] as? [String: Int])?.isEmpty == true, "\(r)")
        #expect(r["first_answered"] as? Int == 200 && r["last_answered"] as? Int == 200, "\(r)")
        #expect(d.stop() == 0)
    }

    /// A client that sends its request and shuts down its side at once gets the whole answer,
    /// then EOF: on the client socket (answered in the loop's turn, several in one turn) and on
    /// the admin socket (answered by a task).
    @Test func aClientThatShutsDownItsSideStillGetsItsAnswer() throws {
        let d = try DaemonHarness()
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        defer { kill(pid, SIGCONT) }
        let r = try d.python("half_close.py", [d.client, d.admin, String(pid), "8"])
        #expect(r["client"] as? [Int] == Array(repeating: 200, count: 8), "\(r)")
        #expect(r["admin"] as? [Int] == [200, 200], "\(r)")
        #expect((r["ended"] as? [Bool])?.count == 10 && (r["ended"] as? [Bool])?.allSatisfy { $0 } == true, "\(r)")
        #expect(d.process?.isRunning == true)
        #expect(d.stop() == 0)
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        let d = try DaemonHarness(limits: "read_timeout = \"5s\"\nidle_timeout = \"1s\"")
        try d.start()
        let r = try d.python("limits.py", [d.client, d.admin, "idle", "1"])
        #expect(r["silent_closed"] as? Bool == true && (0.8...2.5).contains(r["silent_seconds"] as? Double ?? 0), "\(r)")
        #expect(r["first"] as? Int == 200 && r["open_at_half"] as? Bool == true && r["second_within_timeout"] as? Int == 200, "\(r)")
        #expect(r["idle_closed"] as? Bool == true && (0.8...2.5).contains(r["idle_seconds"] as? Double ?? 0), "\(r)")
        let busy = r["busy_statuses"] as? [Int] ?? []
        #expect(busy.count >= 5 && busy.allSatisfy { $0 == 200 }, "a connection in use was closed: \(r)")
        #expect(r["good_after"] as? Int == 200)
        #expect(d.stop() == 0)
    }
}
