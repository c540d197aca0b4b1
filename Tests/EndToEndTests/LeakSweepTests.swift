import Foundation
import Testing
import VaultTestSupport

/// Imports canary tokens, drives every command, then searches every output, every audit row and
/// the raw bytes of the database, WAL and shm files for them.
@Suite(.serialized) struct LeakSweepTests {
    @Test func canariesAppearNowhere() throws {
        let s = try Scratch()
        let passFile = s.root + "/pass"
        FileManager.default.createFile(atPath: passFile, contents: Data("\(s.canary)-passphrase\n".utf8), attributes: [.posixPermissions: 0o600])
        SuiteSweep.input(passFile)
        SuiteSweep.canary("password", "\(s.canary)-passphrase")
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

    /// The daemon's paths that handle tokens and passwords — the proxy (with capture and the TCP
    /// listener), JWT logins, callback verification — then a sweep of its log, every output, the
    /// audit export, the raw bytes of the database, WAL and shm files (free pages included), and
    /// the daemon's `/proc/<pid>/cmdline` and `environ`.
    @Test func theDaemonsPathsLeakNothing() throws {
        let s = try Scratch()
        var tokens: [String: Any] = MockVobiz.standardTokens(s)
        let password = s.token("jwt-password")
        tokens["__login"] = ["email": "ops@example.com", "password": password]
        let mock = try MockVobiz(s, tokens: tokens)
        defer { withExtendedLifetime(mock) {} }
        let port = freePort()
        let d = try DaemonHarness(grants: """
            [[grant]]
            name = "everything"
            uid = 0
            credentials = ["partner", "MA_*"]
            operations = ["headers", "proxy", "jwt", "verify_callback"]
            """, extra: mock.upstreamConfig() + "\n[sealed]\nlifetime = \"3s\"", sockets: "proxy_tcp = \"127.0.0.1:\(port)\"", scratch: s)
        try d.start()
        #expect(try d.s.vv(["login-credentials", "set", "partner"] + d.cfg, stdin: "ops@example.com\n\(password)\n").code == 0)
        for path in ["api/v1/partner/me", "api/v1/Account/MA_ACME/Call/", "api/v1/Account/MA_BETA/Echo/?x=1"] {
            _ = try d.curl(["-H", "X-Auth-Token: \(s.token("client-supplied"))", "http://v/v1/proxy/" + path])
        }
        let created = try d.curl(["-X", "POST", "-d", #"{"name":"Sweep Co"}"#, "http://v/v1/proxy/api/v1/partner/accounts"])
        #expect(created.contains("vaulted:"), "\(created)")
        _ = try d.python("sealed_tcp.py", [d.client, String(port), mock.origin, "3"])
        let jwt = try d.curl(["-X", "POST", "-d", "{}", "http://v/v1/jwt"])
        d.s.captured.removeAll { $0 == jwt } // the access token goes to its caller by design
        _ = try d.s.vv(["jwt", "login"] + d.cfg)
        let tokenFile = d.s.root + "/acme.token"
        FileManager.default.createFile(atPath: tokenFile, contents: Data(s.token("acme").utf8), attributes: [.posixPermissions: 0o600])
        SuiteSweep.input(tokenFile)
        let headers = try CallbackTests.sdk("callback_sign.py", [tokenFile, "POST", "https://hooks.example.com/a", #"{"From":"+1"}"#, "n-1"])
        let body = String(decoding: try JSONSerialization.data(withJSONObject: [
            "credential": "MA_ACME", "method": "POST", "url": "https://hooks.example.com/a", "params": ["From": "+1"], "headers": headers,
        ]), as: UTF8.self)
        #expect(try d.curl(["-X", "POST", "-d", body, "http://v/v1/callbacks/verify"]).contains("\"valid\":true"))
        try? FileManager.default.removeItem(atPath: tokenFile)
        // A capture that fails hands the token back on purpose (to the caller only): not swept here.
        let pid = try #require(d.process?.processIdentifier)
        let procText = ["cmdline", "environ"].map { (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\($0)"))) ?? Data() }
        _ = try d.s.vv(["audit", "export"] + d.cfg)
        _ = try d.s.vv(["list", "--json"] + d.cfg)
        #expect(d.stop() == 0)
        var hits = try d.s.canaryHits()
        if d.log().contains(s.canary) { hits.append("daemon log") }
        if d.log().contains(password) { hits.append("daemon log: password") }
        for (name, data) in zip(["cmdline", "environ"], procText) where data.range(of: Data(s.canary.utf8)) != nil { hits.append("/proc: " + name) }
        #expect(hits.isEmpty, "canary found: \(hits)")
        print("leak sweep (daemon paths): \(s.captured.count) outputs, log, audit export, state files, /proc cmdline and environ: \(hits.count) hits")
    }
}
