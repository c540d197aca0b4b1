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
