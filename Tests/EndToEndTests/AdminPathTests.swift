import Foundation
import Testing
import VaultTestSupport

/// A member of the admin group (not root, not the daemon's user) on the real admin socket:
/// the daemon runs as its own user, so it must open, create or stat no path the caller names.
/// Paths here lie in a root-only directory the caller can neither read nor write.
@Suite(.serialized) struct AdminPathTests {
    /// One admin call as uid 65534 in group 1 ("daemon", the configured admin group), the way
    /// an attacker would make it: a raw request, no CLI in between. Returns status and body.
    static func call(_ d: DaemonHarness, _ path: String, _ body: [String: Any]) throws -> (status: String, answer: String) {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let (status, answer) = try AdminSocketTests.asNobody(d, groups: [1], ["-H", "Content-Type: application/json", "-d", json, "http://v" + path])
        d.s.captured.append(answer)
        return (status, answer)
    }

    static func masterKey(_ d: DaemonHarness) throws -> String {
        let r = try d.s.vv(["status", "--json"] + d.cfg)
        let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let m = o?["master_key"] as? [String: Any]
        return "\(m?["kind"] ?? "?") \(m?["id"] ?? "?")"
    }

    @Test func anAdminGroupMemberCannotMakeTheDaemonCreateReadOrProbeAPath() throws {
        let d = try DaemonHarness(sockets: "admin_group = \"daemon\"")
        let locked = d.s.root + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let passphrase = d.s.canary + "passphrase"
        SuiteSweep.canary("passphrase", passphrase)
        #expect(FileManager.default.createFile(atPath: locked + "/pass", contents: Data((passphrase + "\n").utf8),
                                               attributes: [.posixPermissions: 0o600]))
        SuiteSweep.input(locked + "/pass")
        try d.start()
        let before = try Self.masterKey(d)

        // Fields that would name a path are not fields of the API: refused, whatever the path.
        let pwned = locked + "/pwned"
        let attempts: [(String, [String: Any])] = [
            ("/v1/admin/rekey", ["new_key_file": locked + "/new.key"]), ("/v1/admin/rekey", ["new_passphrase_file": locked + "/pass"]),
            ("/v1/admin/backup", ["path": pwned]), ("/v1/admin/backup", ["to": pwned]), ("/v1/admin/import", ["file": locked + "/pass"]),
            ("/v1/admin/credentials/MA_ACME/rotate", ["token_file": locked + "/pass"]), ("/v1/admin/unseal", ["passphrase_file": locked + "/pass"]),
        ]
        for (path, body) in attempts {
            let (status, answer) = try Self.call(d, path, body)
            // The import body is the import formats: a record without an auth id.
            let refusal = path == "/v1/admin/import" ? "missing auth_id" : "unknown field"
            #expect(status == "400" && answer.contains("bad_request") && answer.contains(refusal), "\(path) \(body): \(status) \(answer)")
            #expect(!answer.contains(locked) && !answer.contains("uid") && !answer.contains("mode"), "\(answer)")
        }
        // The old command-line channel is gone: no command runs inside the daemon.
        let (run, runAnswer) = try Self.call(d, "/v1/admin/run/rekey", ["args": ["rekey", "--new-key-file", locked + "/new.key"]])
        #expect(run == "404" && runAnswer.contains("not_found"), "\(run) \(runAnswer)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["pass"])
        #expect(try Self.masterKey(d) == before)

        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
        #expect(d.stop() == 0)
    }

    @Test func rekeyThroughTheDaemonReadsTheNewKeyAndPassphraseAsItsCaller() throws {
        let d = try DaemonHarness()
        try d.start()
        // The CLI creates the key file (as its caller) and sends the key.
        let newKey = d.s.root + "/new.key"
        let r = try d.s.vv(["rekey", "--new-key-file", newKey] + d.cfg)
        #expect(r.code == 0 && r.out.contains("master key replaced") && r.out.contains("--key-file " + newKey), "\(r.all)")
        var st = stat()
        #expect(lstat(newKey, &st) == 0 && st.st_mode & 0o777 == 0o400 && st.st_uid == geteuid())
        // A key on standard input goes to the daemon as is.
        let afterFile = try Self.masterKey(d)
        let stdinKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let k = try d.s.vv(["rekey", "--new-key-stdin"] + d.cfg, stdin: stdinKey + "\n")
        #expect(k.code == 0 && k.out.contains("master key replaced"), "\(k.all)")
        #expect(try Self.masterKey(d) != afterFile)
        let short = try d.s.vv(["rekey", "--new-key-stdin"] + d.cfg, stdin: "too short\n")
        #expect(short.code == 1 && short.err.contains("32 bytes"), "\(short.all)")
        // The CLI reads the passphrase file and sends the passphrase.
        let passphrase = d.s.canary + "passphrase"
        SuiteSweep.canary("passphrase", passphrase)
        let passFile = d.s.root + "/pass"
        #expect(FileManager.default.createFile(atPath: passFile, contents: Data((passphrase + "\n").utf8), attributes: [.posixPermissions: 0o600]))
        SuiteSweep.input(passFile)
        let p = try d.s.vv(["rekey", "--new-passphrase-file", passFile, "--json"] + d.cfg)
        #expect(p.code == 0 && p.out.contains("passphrase"), "\(p.all)")
        #expect(d.stop() == 0)
        // Offline, the passphrase now opens the vault, and neither key file does.
        #expect(try d.s.vv(["audit", "verify", "--state-dir", d.s.state, "--passphrase-file", passFile]).code == 0)
        #expect(try d.s.vv(["audit", "verify", "--state-dir", d.s.state, "--key-file", newKey]).code != 0)
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }
}
