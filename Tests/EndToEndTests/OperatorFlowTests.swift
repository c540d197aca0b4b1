import Foundation
import Testing

@Suite(.serialized) struct OperatorFlowTests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Binary.path), "build the executable first (swift build): \(Binary.path)")
    }

    /// The issue's "done when" walk-through, on the real binary.
    @Test func tourFromInitToRemind() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        let imp = try s.vv(["import"] + s.keyed, stdin: """
            [{"auth_id":"PA_TOUR","auth_token":"\(s.token("partner"))","label":"Partner"},
             {"auth_id":"MA_TOUR1","auth_token":"\(s.token("c1"))","label":"Customer one"}]
            """)
        #expect(imp.code == 0 && imp.out.contains("2 imported"), "\(imp.err)")
        let list = try s.vv(["list", "--json"] + s.readOnly)
        let creds = try #require((try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["credentials"] as? [[String: Any]])
        #expect(creds.map { $0["auth_id"] as! String } == ["PA_TOUR", "MA_TOUR1"])
        #expect(creds[1]["parent"] as? String == "PA_TOUR")
        let rot = try s.vv(["rotate", "MA_TOUR1", "--reason", "tour"] + s.keyed, stdin: s.token("c1-v2") + "\n")
        #expect(rot.code == 0 && rot.out.contains("version 2 active"), "\(rot.err)")
        let due = try s.vv(["due", "--within", "100d"] + s.readOnly)
        #expect(due.code == 0 && due.out.contains("MA_TOUR1") && due.out.contains("PA_TOUR"))
        let remind = try s.vv(["remind"] + s.readOnly)
        #expect(remind.code == 0 && remind.out.isEmpty)
        #expect(try s.vv(["revoke", "PA_TOUR"] + s.keyed).code == 0)
        let loud = try s.vv(["remind"] + s.readOnly)
        #expect(loud.code == 2 && loud.out.hasPrefix("CRITICAL PA_TOUR Partner: credential revoked on "))
        #expect(try s.vv(["audit", "verify"] + s.keyed).out == "audit chain intact: 5 rows\n")
        // `strings` over the database files finds no token.
        let strings = try Process.run("/bin/sh", ["-c", "cat \(s.state)/* | strings | grep -c \(s.canary) || true"])
        #expect(strings.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try s.canaryHits().isEmpty)
    }

    @Test func wrongKeyFileLeavesTheFilesByteIdentical() throws {
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_W","auth_token":"\#(s.token("w"))"}"#)
        let wrong = s.root + "/wrong.key"
        FileManager.default.createFile(atPath: wrong, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }),
                                       attributes: [.posixPermissions: 0o400])
        let before = try s.files()
        for args in [["list"], ["rotate", "MA_W"], ["import"], ["audit", "verify"], ["rekey", "--data-key"]] {
            let r = try s.vv(args + ["--state-dir", s.state, "--key-file", wrong], stdin: s.token("x"))
            #expect(r.code == 1 && r.err == "vobiz-vault: error: master key does not open this vault\n", "\(args): \(r.err)")
        }
        #expect(try s.files() == before)
        #expect(try s.canaryHits().isEmpty)
    }

    @Test func keyFileWithLooseModeIsRefused() throws {
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        chmod(s.key, 0o644)
        let r = try s.vv(["rotate", "MA_X"] + s.keyed, stdin: "x")
        #expect(r.code == 1 && r.err.contains("group and others must have no access"))
    }

    @Test func secretsNeverReachArgvOrTheEnvironmentOfChildren() throws {
        // No flag takes a token: the parser refuses one.
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        for flag in ["--token", "--auth-token", "--passphrase=abc", "--password"] {
            let r = try s.vv(["rotate", "MA_X", flag, s.token("argv")] + s.keyed)
            #expect(r.code == 64, "\(flag) was accepted")
        }
    }
}

extension Process {
    /// Runs a helper command and returns its standard output.
    static func run(_ path: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
