import Foundation
import Testing

/// SIGHUP, SIGTERM and SIGINT reach the daemon whatever signal mask it inherited: a parent that leaves
/// them blocked (some supervisors and test runners do) must not leave a daemon that cannot be
/// stopped cleanly.
@Suite struct SignalTests {
    @Test(arguments: ["SIGTERM", "SIGINT"])
    func signalsWorkWithAnInheritedBlockedMask(_ stop: String) throws {
        let d = try DaemonHarness()
        let r = try d.python("masked_signals.py", [Binary.path, d.config, d.client, d.logPath, stop])
        #expect(r["inherited_mask_blocks_term"] as? Bool == true, "\(r)")
        #expect(r["up"] as? Bool == true, "\(r) \(d.log())")
        #expect(r["reloaded"] as? Bool == true, "\(r) \(d.log())")
        #expect(r["up_after_reload"] as? Bool == true, "\(r)")
        #expect(r["exit"] as? Int == 0, "\(r) \(d.log())")
        #expect(d.log().contains("stopping: draining in-flight requests"), "\(d.log())")
    }
}
