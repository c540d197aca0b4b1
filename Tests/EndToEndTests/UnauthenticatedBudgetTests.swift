import Foundation
import Testing

/// Anyone on the host can reach the proxy's TCP listener and send well-formed, current
/// signatures that do not verify. Those refusals must cost the sender more than the vault: no
/// audit row each, a rate per source, counted in the metrics.
@Suite(.serialized) struct UnauthenticatedBudgetTests {
    /// From one address, and again from a new address in 127.0.0.0/8 for every connection: the
    /// budget follows the uid that owns the sending socket, which the sender cannot change.
    @Test(arguments: [false, true])
    func aFloodOfForgedSignaturesIsCountedAndAuditedInSummary(rotating: Bool) throws {
        let port = freePort()
        let d = try DaemonHarness(sockets: "proxy_tcp = \"127.0.0.1:\(port)\"")
        try d.start()
        defer { d.stop() }
        let n = rotating ? 400 : 1000
        let out = try flood(port, n, rotating: rotating)
        let r = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
        let statuses = r["statuses"] as? [String: Int] ?? [:]
        let refused = (statuses["401"] ?? 0) + (statuses["429"] ?? 0)
        #expect(refused == n, "\(out)")
        // Past its rate the source is told to wait, and has to connect again.
        #expect((statuses["429"] ?? 0) > 0 && r["retry_after"] as? Int == statuses["429"], "\(out)")
        #expect((r["connections"] as? Int ?? 0) > 1, "\(out)")
        func tcpRefusals() throws -> [[String: Any]] { try Self.tcpRefusals(d) }
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

    /// A scope refusal (an unknown customer) comes before the signature is checked: budgeted
    /// the same way. And the counts of an interval still open are written when the daemon stops.
    @Test func refusalsBeforeTheSignatureCheckAreBudgetedAndNoCountIsLostAtStop() throws {
        let port = freePort()
        let d = try DaemonHarness(sockets: "proxy_tcp = \"127.0.0.1:\(port)\"")
        try d.start()
        let n = 300
        let out = try flood(port, n, rotating: false, path: "/v1/proxy/api/v1/Account/MA_NOPE/Call/")
        #expect(out.contains("\"404\"") && out.contains("\"429\""), "\(out)")
        #expect(d.stop() == 0)
        let rows = try Self.tcpRefusals(d)
        let summaries = rows.filter { Self.detail($0).contains("one row for all") }
        let summed = summaries.compactMap { Int(Self.detail($0).split(separator: " ").first ?? "") }.reduce(0, +)
        #expect(summaries.count == 1 && summed + (rows.count - summaries.count) == n, "\(rows.map(Self.detail))")
    }

    func flood(_ port: Int, _ n: Int, rotating: Bool, path: String? = nil) throws -> String {
        try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                             DaemonHarness.pythonDir + "/forged_flood.py", String(port), String(n),
                                             rotating ? "rotate" : "same"] + (path.map { [$0] } ?? []))
    }

    static func tcpRefusals(_ d: DaemonHarness) throws -> [[String: Any]] {
        try d.auditJSON().filter { ($0["actor_user"] as? String)?.hasPrefix("tcp:") == true && $0["outcome"] as? String == "refused" }
    }

    static func detail(_ row: [String: Any]) -> String {
        ((row["detail"] as? [String: Any])?["detail"] as? String) ?? ""
    }
}
