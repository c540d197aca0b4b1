import Foundation
import Testing
import VaultTestSupport

/// The admin API's rekey, backup and audit export on the real admin socket: valid input, each
/// kind of bad input (a clear problem+json error and nothing changed), and the CLI driving them
/// while the daemon holds the vault.
@Suite(.serialized) struct AdminKeysAndCopyTests {
    static func status(_ d: DaemonHarness) throws -> [String: Any] {
        try AdminAPITests.call(d, "GET", "/v1/admin/status").json
    }

    static func keyIDs(_ d: DaemonHarness) throws -> String {
        let s = try status(d)
        return "\((s["master_key"] as? [String: Any])?["id"] ?? "?") \((s["data_key"] as? [String: Any])?["id"] ?? "?")"
    }

    @Test func rekeyTakesTheNewKeyOnlyInTheBodyAndBadInputChangesNothing() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let before = try Self.keyIDs(d)
        let bad: [(String, String)] = [
            ("{}", "nothing to do"), (#"{"new_key":"c2hvcnQ="}"#, "32 bytes"), (#"{"new_key":5}"#, "must be a string"),
            (#"{"new_key":"\#(String(repeating: "A", count: 43))=","new_passphrase":"x"}"#, "not both"),
            (#"{"new_passphrase":""}"#, "empty"), (#"{"data_key":"yes"}"#, "true or false"), (#"{"new_key_file":"/tmp/k"}"#, "unknown field"),
            ("[1]", "JSON object"), ("{", "JSON"),
        ]
        for (body, says) in bad {
            let r = try AdminAPITests.call(d, "POST", "/v1/admin/rekey", body: body)
            #expect(r.status == 400 && r.type == "bad_request" && r.raw.contains(says), "\(body): \(r.raw)")
        }
        #expect(try Self.keyIDs(d) == before, "a refused rekey changed a key")

        // A new master key, as a key file holds it (base64), and then a new data key.
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        SuiteSweep.canary("new master key", key)
        let master = try AdminAPITests.call(d, "POST", "/v1/admin/rekey", body: #"{"new_key":"\#(key)"}"#)
        #expect(master.status == 200 && !master.raw.contains(key), "\(master.raw)")
        let afterMaster = try Self.keyIDs(d)
        #expect(afterMaster.split(separator: " ")[0] != before.split(separator: " ")[0] && afterMaster.split(separator: " ")[1] == before.split(separator: " ")[1])
        let data = try AdminAPITests.call(d, "POST", "/v1/admin/rekey", body: #"{"data_key":true}"#)
        #expect(data.status == 200 && (data.json["data_key"] as? [String: Any])?["id"] as? String != before.split(separator: " ").last.map(String.init),
                "\(data.raw)")
        #expect(try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")["mode"] as? String == "sealed")
        let rows = try d.auditJSON().filter { $0["op"] as? String == "rekey" }
        #expect(rows.count == 2 && rows.allSatisfy { $0["actor_uid"] as? Int == 0 }, "\(rows)")
        #expect(d.stop() == 0)
        // Offline, the key sent opens the vault and its chain verifies.
        let keyFile = d.s.root + "/sent.key"
        #expect(FileManager.default.createFile(atPath: keyFile, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]))
        SuiteSweep.input(keyFile)
        let verify = try d.s.vv(["audit", "verify", "--state-dir", d.s.state, "--key-file", keyFile])
        #expect(verify.code == 0, "\(verify.all)")
        #expect(try d.s.vv(["audit", "verify", "--state-dir", d.s.state, "--key-file", d.s.key]).code != 0)
        let hits = try d.s.canaryHits()
        #expect(hits.isEmpty, "\(hits)")
        #expect(!d.log().contains(key) && !d.log().contains(d.s.canary))
    }

    @Test func backupAnswersWithTheCopyAndItsManifest() throws {
        let d = try DaemonHarness(sockets: "admin_group = \"daemon\"")
        try d.start()
        defer { d.stop() }
        let copy = d.s.root + "/copy.db", head = d.s.root + "/copy.head"
        let out = try Binary.run(["-s", "--unix-socket", d.admin, "-X", "POST", "-D", head, "-o", copy, "-w", "%{http_code}", "http://v/v1/admin/backup"],
                                 executable: "/usr/bin/curl")
        #expect(out.out == "200", "\(out.all)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        #expect(bytes.starts(with: Data("SQLite format 3\u{0}".utf8)) && bytes.range(of: Data(d.s.canary.utf8)) == nil)
        let headers = try String(contentsOfFile: head, encoding: .utf8)
        let line = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("vault-backup-manifest:") }
        let manifest = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.drop { $0 != "{" }.utf8)) as? [String: Any] } ?? [:]
        let sum = try Binary.run([copy], executable: "/usr/bin/sha256sum").out.prefix(64)
        #expect(manifest["sha256"] as? String == String(sum) && manifest["accounts"] as? Int == 4, "\(headers)")
        // A member of the admin group gets it too; a path in the body is refused.
        let (member, _) = try AdminSocketTests.asNobody(d, groups: [1], ["-X", "POST", "-o", "/dev/null", "http://v/v1/admin/backup"])
        #expect(member == "200")
        // Each copy handed out is audited, with who took it.
        let copies = try d.auditJSON().filter { $0["op"] as? String == "backup" }
        #expect(copies.compactMap { $0["actor_uid"] as? Int } == [0, 65534], "\(copies)")
        let path = try AdminAPITests.call(d, "POST", "/v1/admin/backup", body: #"{"path":"\#(d.s.root)/elsewhere"}"#)
        #expect(path.status == 400 && path.raw.contains("unknown field"), "\(path.raw)")
        #expect(!FileManager.default.fileExists(atPath: d.s.root + "/elsewhere"))
        // The CLI writes what the daemon sent, as its caller; restore takes it once the daemon stops.
        let file = d.s.root + "/cli.backup"
        let b = try d.s.vv(["backup", "--to", file, "--json"] + d.cfg)
        #expect(b.code == 0 && b.out.contains("\"sha256\""), "\(b.all)")
        #expect(d.stop() == 0)
        let r = try d.s.vv(["restore", "--from", file, "--state-dir", d.s.root + "/restored", "--key-file", d.s.key])
        #expect(r.code == 0, "\(r.all)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func auditExportPagesThroughTheDaemonAndMatchesTheVaultOffline() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        // More rows than one page of the export (one audit row per imported credential).
        let records = (0..<1200).map { #"{"auth_id":"MA_BULK\#(String(format: "%05d", $0))","auth_token":"\#(d.s.token("bulk-token-\($0)"))"}"# }
        let imported = try d.s.vv(["import"] + d.cfg, stdin: "[" + records.joined(separator: ",") + "]")
        #expect(imported.code == 0, "\(imported.err)")
        let online = try d.s.vv(["audit", "export"] + d.cfg)
        let lines = online.out.split(separator: "\n")
        let rows = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let seqs = rows.compactMap { $0["seq"] as? Int }
        #expect(rows.count == lines.count && seqs.count > 1200 && seqs == Array(1...seqs.count), "\(seqs.prefix(3)) … \(seqs.count)")
        #expect(rows.allSatisfy { ($0["mac"] as? String)?.count == 64 && ($0["prev_mac"] as? String)?.count == 64 })
        let page = try AdminAPITests.call(d, "GET", "/v1/admin/audit?after=0&limit=2&macs=true")
        #expect((page.json["events"] as? [[String: Any]])?.allSatisfy { $0["mac"] is String } == true, "\(page.raw)")
        let plain = try AdminAPITests.call(d, "GET", "/v1/admin/audit?after=0&limit=2")
        #expect((plain.json["events"] as? [[String: Any]])?.allSatisfy { $0["mac"] == nil } == true, "\(plain.raw)")
        let bad = try AdminAPITests.call(d, "GET", "/v1/admin/audit?macs=yes")
        #expect(bad.status == 400 && bad.raw.contains("macs"), "\(bad.raw)")
        #expect(d.stop() == 0)
        let offline = try d.s.vv(["audit", "export", "--state-dir", d.s.state])
        #expect(offline.code == 0 && offline.out.hasPrefix(online.out), "offline export differs")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// What a daemon stopping mid-answer (or anything between) would hand the CLI: a copy cut
    /// short, or one whose bytes are not the manifest's. Neither may become a backup.
    @Test func aBackupThatArrivesCutShortOrDamagedKeepsNothing() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let manifest = #"{"format":1,"vault_id":"v","kek_kind":"key","kek_id":"k","dek_id":"d","created_at":"2026-12-04T00:00:00Z","audit_head_seq":1,"accounts":1,"sha256":"\#(String(repeating: "0", count: 64))"}"#
        for (name, announced, sent) in [("short", 81_920, 116), ("damaged", 116, 116)] {
            let socket = d.s.root + "/\(name).sock"
            let server = try Binary.start(["-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print("up", flush=True)
                c, _ = s.accept(); request = b""
                while not request.endswith(b"{}"):
                    chunk = c.recv(65536)
                    if not chunk: break
                    request += chunk
                c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/vnd.sqlite3\\r\\nVault-Backup-Manifest: " + sys.argv[2].encode()
                          + b"\\r\\nContent-Length: " + sys.argv[3].encode() + b"\\r\\n\\r\\n" + b"S" * int(sys.argv[4]))
                c.close()
                """, socket, manifest, String(announced), String(sent)], executable: "/usr/bin/python3")
            _ = server.out.fileHandleForReading.availableData
            let file = d.s.root + "/\(name).backup"
            let r = try d.s.vv(["backup", "--to", file, "--admin-socket", socket] + d.cfg)
            server.process.waitUntilExit()
            #expect(r.code == 1 && (r.err.contains("cut short") || r.err.contains("does not match its manifest")), "\(name): \(r.all)")
            #expect(!FileManager.default.fileExists(atPath: file) && !FileManager.default.fileExists(atPath: file + ".manifest.json"), "\(name)")
        }
    }
}
