import Foundation
import Testing

/// Anyone on the host can reach the proxy's TCP listener and send well-formed, current
/// signatures that do not verify. Those refusals must cost the sender more than the vault: no
/// audit row each, a rate per source, counted in the metrics.
@Suite(.serialized) struct UnauthenticatedBudgetTests {
    @Test func aFloodOfForgedSignaturesIsCountedAndAuditedInSummary() throws {
        let port = freePort()
        let d = try DaemonHarness(sockets: "proxy_tcp = \"127.0.0.1:\(port)\"")
        try d.start()
        defer { d.stop() }
        let n = 1000
        let out = try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                                       DaemonHarness.pythonDir + "/forged_flood.py", String(port), String(n)])
        let r = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
        let statuses = r["statuses"] as? [String: Int] ?? [:]
        let refused = (statuses["401"] ?? 0) + (statuses["429"] ?? 0)
        #expect(refused == n, "\(out)")
        // Past its rate the source is told to wait, and has to connect again.
        #expect((statuses["429"] ?? 0) > 0 && r["retry_after"] as? Int == statuses["429"], "\(out)")
        #expect((r["connections"] as? Int ?? 0) > 1, "\(out)")
        func tcpRefusals() throws -> [[String: Any]] {
            try d.auditJSON().filter { ($0["actor_user"] as? String)?.hasPrefix("tcp:127.0.0.1") == true && $0["outcome"] as? String == "refused" }
        }
        // A thousand refusals, a handful of rows: one for the first of each interval.
        let early = try tcpRefusals()
        #expect(!early.isEmpty && early.count <= 3, "\(early.count) rows")
        // When the interval ends, one summary row counts the rest.
        var rows = early
        for _ in 0..<60 {
            rows = try tcpRefusals()
            if rows.contains(where: { Self.detail($0).contains("one row for all") }) { break }
            usleep(250_000)
        }
        let summaries = rows.filter { Self.detail($0).contains("one row for all") }
        let summed = summaries.compactMap { Int(Self.detail($0).split(separator: " ").first ?? "") }.reduce(0, +)
        #expect(!summaries.isEmpty && summed + (rows.count - summaries.count) == n, "\(rows.map(Self.detail))")
        // Counted in the metrics, whatever the rows say.
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        #expect(metrics.contains("vobiz_vault_unauthenticated_refusals_total \(n)"), "\(metrics.split(separator: "\n").filter { $0.contains("unauth") })")
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
    }

    static func detail(_ row: [String: Any]) -> String {
        ((row["detail"] as? [String: Any])?["detail"] as? String) ?? ""
    }
}
