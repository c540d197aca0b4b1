import Foundation
import Testing

/// Imports canary tokens, drives every command, then searches every output, every audit row and
/// the raw bytes of the database, WAL and shm files for them.
@Suite(.serialized) struct LeakSweepTests {
    @Test func canariesAppearNowhere() throws {
        let s = try Scratch()
        let passFile = s.root + "/pass"
        FileManager.default.createFile(atPath: passFile, contents: Data("\(s.canary)-passphrase\n".utf8), attributes: [.posixPermissions: 0o600])
        try s.vv(["init"] + s.keyed)
        try s.vv(["import"] + s.keyed, stdin: """
            [{"auth_id":"PA_LEAK","auth_token":"\(s.token("p"))"},{"auth_id":"MA_LEAK1","auth_token":"\(s.token("c1"))"}]
            """)
        try s.vv(["import"] + s.keyed, stdin: "MA_LEAK2,\(s.token("c2")),csv\n")
        try s.vv(["import", "--from-env"] + s.keyed, env: ["VOBIZ_AUTH_ID": "MA_LEAK3", "VOBIZ_AUTH_TOKEN": s.token("c3")])
        // Error paths that handle tokens.
        try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_LEAK1","auth_token":"\#(s.token("different"))"}"#)
        try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"\#(s.token("in-id-column"))","auth_token":"x"}"#)
        try s.vv(["import"] + s.keyed, stdin: "\(s.token("first-column")),MA_LEAK9\n")
        try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_LEAK5","auth_token":"\#(s.token("with space")) x"}"#)
        try s.vv(["rotate", "MA_LEAK1", "--reason", "sweep"] + s.keyed, stdin: s.token("c1-v2"))
        try s.vv(["rotate", "MA_LEAK1"] + s.keyed, stdin: s.token("c1-v2"))
        try s.vv(["rotate", "MA_LEAK2", "--grace", "0"] + s.keyed, stdin: s.token("c2-v2"))
        try s.vv(["rollback", "MA_LEAK1"] + s.keyed)
        try s.vv(["revoke", "MA_LEAK3", "--compromised"] + s.keyed)
        try s.vv(["rotate", "MA_LEAK3"] + s.keyed, stdin: s.token("c3-v2"))
        for cmd in [["list"], ["list", "--json"], ["show", "MA_LEAK1", "--json"], ["due", "--within", "100d"], ["remind"],
                    ["remind", "--json"], ["status", "--json"], ["audit", "tail", "-n", "100", "--json"], ["audit", "export"]] {
            try s.vv(cmd + s.readOnly)
        }
        try s.vv(["audit", "verify"] + s.keyed)
        try s.vv(["rekey", "--data-key"] + s.keyed)
        try s.vv(["rekey", "--new-passphrase-file", passFile] + s.keyed)
        try s.vv(["list", "--passphrase-file", passFile] + s.readOnly)
        try s.vv(["rotate", "PA_LEAK", "--passphrase-file", passFile] + s.readOnly, stdin: s.token("p-v2"))
        try s.vv(["rotate", "PA_LEAK", "--key-file", s.key] + s.readOnly, stdin: s.token("p-v3"))
        #expect(try s.vv(["audit", "verify", "--passphrase-file", passFile] + s.readOnly).code == 0)
        let hits = try s.canaryHits()
        #expect(hits.isEmpty, "canary found: \(hits)")
        #expect(s.captured.count > 50)
    }
}
