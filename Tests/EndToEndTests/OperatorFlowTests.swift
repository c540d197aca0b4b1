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
        // `strings` over the database files finds no token. binutils is a `make deps` package:
        // without `strings` this fails rather than passing on an empty scan.
        let strings = try #require(["/usr/bin/strings", "/bin/strings"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                   "strings (binutils) is missing: run `make deps`")
        let databaseFiles = try s.databaseFiles().keys.sorted().map { s.state + "/" + $0 }
        #expect(databaseFiles.contains(s.state + "/vault.db"))
        let found = try Process.run(strings, ["-a"] + databaseFiles)
        // The scan read the schema and the rows (auth ids and labels are stored in the clear).
        #expect(found.contains("CREATE TABLE token_versions") && found.contains("MA_TOUR1") && found.contains("Customer one"),
                "strings printed \(found.utf8.count) bytes")
        #expect(!found.contains(s.canary))
        #expect(try s.canaryHits().isEmpty)
    }

    /// Keyed commands with a wrong key: the message, the exit code, and `vault.db`, `-wal` and
    /// `-shm` byte-identical and present or absent exactly as before. `walFrames` (nil: no WAL) and
    /// `shm` are what the scenario starts with, so a scenario cannot pass by being another one.
    func expectWrongKeysChangeNothing(_ s: Scratch, keys: [String], walFrames: Bool?, shm: Bool,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try s.databaseFiles()
        let wal = before["vault.db-wal"]
        #expect(walFrames == nil ? wal == nil : wal.map { !$0.isEmpty } == walFrames, "WAL before: \(wal?.count ?? -1) bytes",
                sourceLocation: sourceLocation)
        #expect((before["vault.db-shm"] != nil) == shm, sourceLocation: sourceLocation)
        for key in keys {
            // remind fails as a monitoring plugin does: UNKNOWN, 3; audit verify, which answers
            // a question, could not answer it: 2.
            for (args, code) in [(["list"], 1), (["due"], 1), (["remind"], 3), (["rotate", "MA_W"], 1), (["import"], 1),
                                 (["audit", "verify"], 2), (["rekey", "--data-key"], 1)] as [([String], Int32)] {
                let r = try s.vv(args + ["--state-dir", s.state, "--key-file", key], stdin: s.token("x"))
                #expect(r.code == code && r.err == "vobiz-vault: error: master key does not open this vault\n", "\(args): \(r.err)",
                        sourceLocation: sourceLocation)
                let after = try s.databaseFiles()
                #expect(after.keys.sorted() == before.keys.sorted(), "\(args) changed which files exist", sourceLocation: sourceLocation)
                #expect(after == before, "\(args) changed bytes", sourceLocation: sourceLocation)
            }
        }
        #expect(try s.canaryHits().isEmpty, sourceLocation: sourceLocation)
    }

    func wrongKey(_ s: Scratch) -> String {
        let wrong = s.root + "/wrong-\(UUID().uuidString).key"
        FileManager.default.createFile(atPath: wrong, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }),
                                       attributes: [.posixPermissions: 0o400])
        return wrong
    }

    func importedVault() throws -> Scratch {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_W","auth_token":"\#(s.token("w"))"}"#).code == 0)
        return s
    }

    @Test func wrongKeyFileLeavesTheFilesByteIdentical() throws {
        // A cleanly closed vault: vault.db alone.
        let s = try importedVault()
        try expectWrongKeysChangeNothing(s, keys: [wrongKey(s)], walFrames: nil, shm: false)
    }

    @Test func wrongKeyAfterAKeylessCommandLeavesWALAndSHMInPlace() throws {
        // A keyless command leaves an empty WAL and a -shm; the last connection to close must
        // not be the wrong-key check's (SQLite deletes both when a writable one closes last).
        let s = try importedVault()
        #expect(try s.vv(["due"] + s.readOnly).code == 0)
        try expectWrongKeysChangeNothing(s, keys: [wrongKey(s)], walFrames: false, shm: true)
    }

    @Test func wrongKeyAfterAKilledWriterLeavesTheWALUncheckpointed() throws {
        // A rekey is killed with SIGKILL after its commit, while a reader keeps its checkpoint
        // waiting: the new wrapping of the data key is in the WAL only, beside a -shm that
        // SQLite would otherwise rebuild on the next open.
        let s = try importedVault()
        let reader = try Binary.start(["-c", """
            import sqlite3, sys, time
            hold = sqlite3.connect(sys.argv[1], isolation_level=None)
            hold.execute("BEGIN")
            n = hold.execute("SELECT count(*) FROM audit_events").fetchone()[0]
            print("reading", flush=True)
            watch = sqlite3.connect(sys.argv[1], isolation_level=None)
            while watch.execute("SELECT count(*) FROM audit_events").fetchone()[0] == n:
                time.sleep(0.01)
            print("committed", flush=True)
            time.sleep(120)
            """, s.state + "/vault.db"], executable: "/usr/bin/python3")
        defer { kill(reader.process.processIdentifier, SIGKILL); reader.process.waitUntilExit() }
        func readerSaid(_ line: String) -> Bool {
            String(decoding: reader.out.fileHandleForReading.availableData, as: UTF8.self) == line + "\n"
        }
        try #require(readerSaid("reading"))
        let rekey = try Binary.start(["rekey", "--new-key-file", s.root + "/new.key"] + s.keyed)
        try #require(readerSaid("committed"))
        kill(rekey.process.processIdentifier, SIGKILL)
        rekey.process.waitUntilExit()
        #expect(rekey.process.terminationReason == .uncaughtSignal, "rekey finished before it was killed")
        kill(reader.process.processIdentifier, SIGKILL)
        reader.process.waitUntilExit()
        // The old key is wrong now only if the check reads the WAL; a random key is wrong anyway.
        try expectWrongKeysChangeNothing(s, keys: [s.key, wrongKey(s)], walFrames: true, shm: true)

        // The same files without their -shm (a copy taken mid-write): nothing is created either.
        let copy = try Scratch()
        try FileManager.default.createDirectory(atPath: copy.state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for name in ["vault.db", "vault.db-wal"] { try FileManager.default.copyItem(atPath: s.state + "/" + name, toPath: copy.state + "/" + name) }
        try FileManager.default.copyItem(atPath: s.key, toPath: copy.key)
        try expectWrongKeysChangeNothing(copy, keys: [copy.key, wrongKey(copy)], walFrames: true, shm: false)

        // The new key opens both, with the chain intact.
        for vault in [s, copy] {
            let ok = try vault.vv(["audit", "verify", "--state-dir", vault.state, "--key-file", s.root + "/new.key"])
            #expect(ok.code == 0 && ok.out.hasPrefix("audit chain intact"), "\(ok.err)")
        }
    }

    @Test func keyFileWithLooseModeIsRefused() throws {
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        chmod(s.key, 0o644)
        let r = try s.vv(["rotate", "MA_X"] + s.keyed, stdin: "x")
        #expect(r.code == 1 && r.err.contains("group and others must have no access"))
    }

    /// Tokens reach no argv and no environment: not the CLI's own while it holds one, not that
    /// of the notifier `remind --exec` starts, and, from `exec`, only the environment of the
    /// program a grant with `reveal = true` runs (under VOBIZ_AUTH_TOKEN, never its argv).
    @Test func secretsNeverReachArgvOrTheEnvironmentOfChildren() throws {
        // No flag takes a token: the parser refuses one.
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        for flag in ["--token", "--auth-token", "--passphrase=abc", "--password"] {
            let r = try s.vv(["rotate", "MA_X", flag, s.token("argv")] + s.keyed)
            #expect(r.code == 64, "\(flag) was accepted")
        }
        let keyText = try String(contentsOfFile: s.key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        func secretsIn(_ text: String) -> [String] {
            [s.canary, keyText].filter { text.contains($0) }
        }

        // The CLI while it holds a token: `import` has read it from stdin, which stays open.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["import"] + s.keyed
        p.environment = ["PATH": "/usr/bin:/bin", "VV_MARKER": "present"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(#"[{"auth_id":"MA_ENV","auth_token":"\#(s.token("env"))"}]"#.utf8))
        var unread: Int32 = 1
        for _ in 0..<500 where unread > 0 {
            usleep(10_000)
            _ = ioctl(input.fileHandleForWriting.fileDescriptor, UInt(FIONREAD), &unread)
        }
        #expect(unread == 0, "import did not read its input")
        let proc = ["cmdline", "environ"].map {
            String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(p.processIdentifier)/\($0)"))) ?? Data(), as: UTF8.self)
        }
        #expect(proc[0].contains("import") && proc[1].contains("VV_MARKER=present"), "/proc was not read: \(proc)")
        #expect(secretsIn(proc.joined()).isEmpty)
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        s.captured.append(said)
        #expect(p.terminationStatus == 0 && said.contains("1 imported"), "\(said)")

        // The notifier of `remind --exec`, started by a CLI that holds the master key: its own
        // environment and, while it runs, the CLI's (its parent's) /proc environ.
        #expect(try s.vv(["revoke", "MA_ENV"] + s.keyed).code == 0)
        let env = s.root + "/notifier.env", parent = s.root + "/parent.environ"
        let remind = try s.vv(["remind", "--exec", "env > \(env); tr '\\0' '\\n' < /proc/$PPID/environ > \(parent)"] + s.keyed,
                              env: ["VV_MARKER": "present"])
        #expect(remind.code == 2, "\(remind.all)")
        for path in [env, parent] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            #expect(text.contains("VV_MARKER=present"), "\(path) was not written by the notifier")
            #expect(secretsIn(text).isEmpty && !text.contains("VOBIZ_AUTH_TOKEN"), "\(path)")
        }

        // `exec` through the daemon: a grant without reveal runs nothing; with reveal, the
        // token is in the program's environment under VOBIZ_AUTH_TOKEN and nowhere else.
        let d = try DaemonHarness()
        try d.start()
        let ran = d.s.root + "/ran.env"
        let sealed = try d.s.vv(["exec", "--credential", "MA_ACME"] + d.cfg + ["--", "/bin/sh", "-c", "env > \(ran)"])
        #expect(sealed.code == 1 && sealed.err.contains("reveal"), "\(sealed.all)")
        #expect(!FileManager.default.fileExists(atPath: ran), "the program ran without a revealing grant")
        let argv = d.s.root + "/exec.argv"
        let revealed = try d.s.vv(["exec", "--credential", "MA_BETA"] + d.cfg
                                  + ["--", "/bin/sh", "-c", "tr '\\0' '\\n' < /proc/$$/cmdline > \(argv); env > \(ran)"])
        #expect(revealed.code == 0, "\(revealed.all)")
        let programArgv = (try? String(contentsOfFile: argv, encoding: .utf8)) ?? ""
        #expect(programArgv.hasPrefix("/bin/sh\n-c\n") && !programArgv.contains(d.s.canary), "\(programArgv)")
        let programEnv = (try? String(contentsOfFile: ran, encoding: .utf8)) ?? ""
        // The revealed token is the one output of this test that holds a secret: check it, then
        // remove it so the suite's leak sweep does not find it.
        try? FileManager.default.removeItem(atPath: ran)
        let holding = programEnv.split(separator: "\n").map(String.init).filter { $0.contains(d.s.canary) }
        let onlyThere = holding == ["VOBIZ_AUTH_TOKEN=" + d.s.token("beta")]
        #expect(onlyThere, "\(holding.count) lines hold a token, \(holding.map { $0.prefix(while: { $0 != "=" }) })")
        #expect(try d.s.canaryHits().isEmpty && s.canaryHits().isEmpty)
    }
}

extension Scratch {
    /// `vault.db`, `vault.db-wal` and `vault.db-shm` as they are now; an absent file has no entry.
    func databaseFiles() throws -> [String: Data] {
        try files().filter { ["vault.db", "vault.db-wal", "vault.db-shm"].contains($0.key) }
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
