import Foundation
import Testing

/// `[audit] durability`: with "sync" every answer's audit row is committed before the answer goes
/// out; with "batch" rows follow within about 50 ms (DESIGN §7, Docs/api.md §Audit).
@Suite(.serialized) struct AuditDurabilityTests {
    static let requests = 40

    /// The request ids of every `headers` row in the log, read offline.
    static func loggedRequestIDs(_ d: DaemonHarness) throws -> Set<String> {
        let export = try d.s.vv(["audit", "export"] + d.cfg)
        #expect(export.code == 0, "\(export.err)")
        return Set(export.out.split(separator: "\n").compactMap { line -> String? in
            guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], row["op"] as? String == "headers" else { return nil }
            return (row["detail"] as? [String: Any])?["request_id"] as? String
        })
    }

    @Test func syncCommitsEachRowBeforeItsAnswerAndACrashLosesNone() throws {
        let d = try DaemonHarness(extra: "[audit]\ndurability = \"sync\"")
        try d.start()
        let r = try d.python("audit_visibility.py", [d.client, d.s.state + "/vault.db", String(Self.requests)])
        #expect(r["answered"] as? Int == Self.requests, "\(r)")
        #expect(r["visible_at_answer"] as? Int == Self.requests, "answers went out before their rows were committed: \(r)")
        // Killed right after the last answer: every answered request is in the log.
        d.stop(signal: SIGKILL)
        let ids = Set(r["request_ids"] as? [String] ?? [])
        #expect(ids.count == Self.requests)
        #expect(ids.isSubset(of: try Self.loggedRequestIDs(d)))
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
    }

    /// The control: in batch mode answers do go out before their rows are committed (so the
    /// check above can see the difference), and the rows follow without being asked for.
    @Test func batchCommitsRowsShortlyAfterTheirAnswers() throws {
        let d = try DaemonHarness(extra: "[audit]\ndurability = \"batch\"")
        try d.start()
        let r = try d.python("audit_visibility.py", [d.client, d.s.state + "/vault.db", String(Self.requests)])
        #expect(r["answered"] as? Int == Self.requests, "\(r)")
        #expect(r["visible_at_answer"] as? Int ?? Self.requests < Self.requests, "\(r)")
        // Well past the 50 ms window, a crash loses nothing.
        usleep(500_000)
        d.stop(signal: SIGKILL)
        #expect(Set(r["request_ids"] as? [String] ?? []).isSubset(of: try Self.loggedRequestIDs(d)))
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
    }
}
