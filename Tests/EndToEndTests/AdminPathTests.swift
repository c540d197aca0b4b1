import Foundation
import Testing
import VaultTestSupport

/// A member of the admin group (not root, not the daemon's user) on the real admin socket:
/// the daemon runs commands as its own user, so it must open, create or stat no path the
/// caller names. Paths here lie in a root-only directory the caller can neither read nor write.
@Suite(.serialized) struct AdminPathTests {
    /// One admin call as uid 65534 in group 1 ("daemon", the configured admin group), the way
    /// an attacker would make it: a raw request, no CLI in between. Returns the answer's JSON.
    static func call(_ d: DaemonHarness, _ args: [String]) throws -> [String: Any] {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["args": args]), as: UTF8.self)
        let words = args.prefix(while: { !$0.hasPrefix("-") }).prefix(1).joined(separator: "/")
        let (status, answer) = try AdminSocketTests.asNobody(d, groups: [1], ["-d", body, "http://v/v1/admin/run/" + words])
        d.s.captured.append(answer)
        #expect(status == "200", "\(args): \(status) \(answer)")
        return (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]) ?? [:]
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

        // Create a key file in a directory the caller cannot write.
        let created = try Self.call(d, ["rekey", "--new-key-file", locked + "/new.key"])
        #expect(created["exit_code"] as? Int != 0, "\(created)")
        #expect(!FileManager.default.fileExists(atPath: locked + "/new.key"), "the daemon created a file for the caller")
        // Read a file the caller cannot read, and make its first line the vault's passphrase.
        let read = try Self.call(d, ["rekey", "--new-passphrase-file=" + locked + "/pass"])
        #expect(read["exit_code"] as? Int != 0, "\(read)")
        #expect(try Self.masterKey(d) == before, "the master key changed")

        // Probe: an existing unreadable file, a missing file, a missing directory. Every
        // answer is the same and names neither the path nor an owner or a mode.
        let probes = [locked + "/pass", locked + "/absent", locked + "/no/such/dir"].map { path in
            (try? Self.call(d, ["rekey", "--new-key-file", path]))?["stderr"] as? String ?? ""
        }
        #expect(Set(probes).count == 1 && probes[0].contains("--new-key-file"), "\(probes)")
        #expect(!probes[0].contains(locked) && !probes[0].contains("uid") && !probes[0].contains("mode"), "\(probes[0])")

        // Every other option that names a path is refused inside the daemon the same way.
        let pwned = locked + "/pwned"
        let others: [[String]] = [
            ["import", "--file", locked + "/pass"], ["rotate", "MA_ACME", "--token-file", locked + "/pass"],
            ["remind", "--exec", "touch " + pwned], ["list", "--config", locked + "/pass"], ["list", "--state-dir", locked],
            ["status", "--key-file", locked + "/pass"], ["unseal", "--passphrase-file", locked + "/pass"],
            ["backup", "--to", pwned], ["restore", "--from", locked + "/pass"], ["list", "--admin-socket=" + pwned],
        ]
        for args in others {
            let r = try Self.call(d, args)
            #expect(r["exit_code"] as? Int == 64 && (r["stderr"] as? String)?.contains("names a path") == true, "\(args): \(r)")
        }
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
