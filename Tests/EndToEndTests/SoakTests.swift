import Foundation
import Testing

/// 1,000 idle and 100 slow-loris connections while 16 clients make requests: every good request
/// is answered in time, memory stays bounded, file descriptors are released. `make test` runs
/// it for 10 s; `make soak` for 60 s (`VOBIZ_VAULT_SOAK_SECONDS`).
@Suite(.serialized) struct SoakTests {
    @Test func idleAndSlowConnectionsDoNotStarveGoodClients() throws {
        let seconds = ProcessInfo.processInfo.environment["VOBIZ_VAULT_SOAK_SECONDS"] ?? "10"
        let d = try DaemonHarness(limits: """
            read_timeout = "2s"
            idle_timeout = "300s"
            max_connections = 2048
            max_connections_per_uid = 2048
            """)
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let r = try d.python("soak.py", [d.client, String(pid), seconds])
        print("soak: \(r)")
        #expect(r["failed"] as? Int == 0 && (r["ok"] as? Int ?? 0) > 1000, "\(r)")
        #expect((r["slowest"] as? Double ?? 99) < 2.0, "a good request waited too long: \(r)")
        #expect(r["idle_alive_at_end"] as? Int == 1000, "idle connections within idle_timeout stay open: \(r)")
        #expect((r["slowloris_opened"] as? Int ?? 0) > 100, "slow-loris connections are cut and reopened: \(r)")
        let before = r["rss_before_kib"] as? Int ?? 0, after = r["rss_after_kib"] as? Int ?? Int.max
        #expect(after < before + 64 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
        let fdsBefore = r["fds_before"] as? Int ?? 0, fdsAfter = r["fds_after"] as? Int ?? Int.max
        #expect(fdsAfter <= fdsBefore + 4, "descriptors not released: \(fdsBefore) before, \(fdsAfter) after")
        #expect(d.process?.isRunning == true)
    }
}
