import Foundation
import Testing

@Suite(.serialized) struct GraceByCommandTests {
    /// A version past its grace is destroyed by the next command that holds the key, not by a
    /// keyless one: its ciphertext leaves every byte of vault.db, -wal and -shm.
    @Test func versionPastItsGraceIsDestroyedByTheNextKeyedCommand() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_G","auth_token":"\#(s.token("v1"))"}"#).code == 0)
        let rot = try s.vv(["rotate", "MA_G", "--grace", "1s"] + s.keyed, stdin: s.token("v2") + "\n")
        #expect(rot.code == 0 && rot.out.contains("version 1 kept as previous until"), "\(rot.err)")
        // Version 1's ciphertext as SQLite stores it, read without touching the files.
        let hex = try Process.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys, urllib.parse
            c = sqlite3.connect("file:" + urllib.parse.quote(sys.argv[1]) + "?immutable=1", uri=True)
            print(c.execute("SELECT hex(ciphertext) FROM token_versions WHERE version = 1").fetchone()[0])
            """, s.state + "/vault.db"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let sealed = Data(stride(from: 0, to: hex.count, by: 2).compactMap { i in
            UInt8(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)], radix: 16)
        })
        try #require(sealed.count >= 40, "no ciphertext read: \(hex)")
        // Any 16-byte window of it found in the files (the whole blob is the first window set).
        func traces() throws -> [String] {
            try s.databaseFiles().compactMap { name, bytes in
                stride(from: 0, through: sealed.count - 16, by: 8).contains { bytes.range(of: sealed[$0..<$0 + 16]) != nil } ? name : nil
            }
        }
        func versionOne() throws -> [String: Any] {
            let show = try s.vv(["show", "MA_G", "--json"] + s.readOnly)
            let obj = try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any]
            return try #require((obj?["versions"] as? [[String: Any]])?.first { $0["version"] as? Int == 1 }, "\(show.all)")
        }
        #expect(try traces() == ["vault.db"])
        #expect(try versionOne()["status"] as? String == "previous")
        sleep(2)
        // Keyless commands cannot destroy anything: the version waits, past its deadline.
        #expect(try s.vv(["list"] + s.readOnly).code == 0)
        #expect(try s.vv(["due"] + s.readOnly).code == 0)
        #expect(try versionOne()["status"] as? String == "previous")
        #expect(try traces() == ["vault.db"])
        // The next command that holds the key, a read-only one at that.
        #expect(try s.vv(["list"] + s.keyed).code == 0)
        let v1 = try versionOne()
        #expect(v1["status"] as? String == "destroyed" && v1["destroyed_at"] is String, "\(v1)")
        #expect(try traces().isEmpty, "version 1's ciphertext is still on disk")
        let tail = try s.vv(["audit", "tail"] + s.readOnly)
        #expect(tail.out.contains("destroy  ok  MA_G v1") && tail.out.contains("reason: grace ended"), "\(tail.out)")
        #expect(try s.canaryHits().isEmpty)
    }
}
