import Foundation
import Testing

/// `audit verify` through the binary on a log changed behind the vault's back with SQL: each
/// kind of tampering is named with its row, in text on stderr and in `--json`, with exit 1.
@Suite(.serialized) struct AuditTamperTests {
    /// A vault whose log is init (1), import (2), rotate (3), revoke (4), edit (5).
    func vault() throws -> Scratch {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_AUD","auth_token":"\#(s.token("v1"))"}"#).code == 0)
        #expect(try s.vv(["rotate", "MA_AUD", "--reason", "scheduled"] + s.keyed, stdin: s.token("v2") + "\n").code == 0)
        #expect(try s.vv(["revoke", "MA_AUD"] + s.keyed).code == 0)
        #expect(try s.vv(["edit", "MA_AUD", "--label", "audited"] + s.keyed).code == 0)
        #expect(try s.vv(["audit", "verify"] + s.keyed).out == "audit chain intact: 5 rows\n")
        return s
    }

    /// Runs `sql` on the vault's database with Python's sqlite3 module, as someone with write
    /// access to the file could; `attach` is another database, known as `other`.
    func tamper(_ s: Scratch, _ sql: String, attach: String? = nil) throws {
        let out = try Process.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            if len(sys.argv) > 3:
                c.execute("ATTACH DATABASE ? AS other", (sys.argv[3],))
            c.executescript("BEGIN; " + sys.argv[2] + " ; COMMIT;")
            c.close()
            print("done")
            """, s.state + "/vault.db", sql] + (attach.map { [$0] } ?? []))
        try #require(out == "done\n", "the SQL did not run: \(sql)")
    }

    /// `audit verify` in text and in JSON: exit 1 both times, the row and the kind named.
    func expectBroken(_ s: Scratch, seq: Int, problem: String, says: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let message = "audit chain broken at row \(seq): \(says)"
        let text = try s.vv(["audit", "verify"] + s.keyed)
        #expect(text.code == 1, sourceLocation: sourceLocation)
        #expect(text.out.isEmpty && text.err == message + "\n", "\(text.all)", sourceLocation: sourceLocation)
        let json = try s.vv(["audit", "verify", "--json"] + s.keyed)
        #expect(json.code == 1, sourceLocation: sourceLocation)
        let obj = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(obj?["intact"] as? Bool == false && obj?["seq"] as? Int == seq && obj?["problem"] as? String == problem
                && obj?["message"] as? String == message, "\(json.all)", sourceLocation: sourceLocation)
        // Verifying is reading: it adds no row to the log it found broken.
        let tail = try s.vv(["audit", "tail", "-n", "100", "--json"] + s.readOnly)
        let events = (try JSONSerialization.jsonObject(with: Data(tail.out.utf8)) as? [String: Any])?["events"] as? [[String: Any]]
        #expect(events?.compactMap { $0["op"] as? String }.contains { $0.contains("verify") } == false, sourceLocation: sourceLocation)
    }

    @Test func editedRowIsNamed() throws {
        let s = try vault()
        try tamper(s, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3")
        try expectBroken(s, seq: 3, problem: "edited", says: "its contents do not match its MAC: the row was edited")
    }

    @Test func deletedRowIsNamed() throws {
        let s = try vault()
        try tamper(s, "DELETE FROM audit_events WHERE seq = 2")
        try expectBroken(s, seq: 2, problem: "deleted", says: "it is missing: the row was deleted")
    }

    /// Row 3 replaced by a genuine row 3 from another history of the same vault (a copy taken
    /// after row 2 that went on differently): its own MAC holds, so it is row 4 that no longer
    /// follows the row before it.
    @Test func replacedRowIsNamedAsOutOfOrder() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_AUD","auth_token":"\#(s.token("v1"))"}"#).code == 0)
        let branch = try Scratch()
        try FileManager.default.createDirectory(atPath: branch.state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: s.state + "/vault.db", toPath: branch.state + "/vault.db")
        try FileManager.default.copyItem(atPath: s.key, toPath: branch.key)
        #expect(try s.vv(["rotate", "MA_AUD"] + s.keyed, stdin: s.token("v2") + "\n").code == 0)
        #expect(try s.vv(["revoke", "MA_AUD"] + s.keyed).code == 0)
        #expect(try branch.vv(["edit", "MA_AUD", "--label", "other history"] + branch.keyed).code == 0)
        #expect(try branch.vv(["audit", "verify"] + branch.keyed).out == "audit chain intact: 3 rows\n")
        try tamper(s, """
            DELETE FROM audit_events WHERE seq = 3;
            INSERT INTO audit_events SELECT * FROM other.audit_events WHERE seq = 3;
            """, attach: branch.state + "/vault.db")
        try expectBroken(s, seq: 4, problem: "reordered", says: "it does not follow the row before it: rows were reordered or replaced")
    }

    @Test func rowsCutOffTheEndAreNamed() throws {
        let s = try vault()
        try tamper(s, "DELETE FROM audit_events WHERE seq >= 4")
        try expectBroken(s, seq: 4, problem: "truncated", says: "the log ends before it: rows were cut off the end")
    }
}
