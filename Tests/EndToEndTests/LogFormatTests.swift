import Foundation
import Testing

/// `[log] level` and `format`, and the priority prefix journald reads under systemd.
@Suite struct LogFormatTests {
    static func lines(_ d: DaemonHarness) -> [String] {
        d.log().split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    @Test func jsonLinesCarryLevelMessageAndTimeAndTheLevelFilters() throws {
        let d = try DaemonHarness(extra: "[log]\nformat = \"json\"\nlevel = \"debug\"\n")
        try d.start()
        #expect(try d.s.vv(["reload"] + d.cfg + ["--state-dir", d.s.state, "--admin-socket", d.admin]).code == 0)
        #expect(d.stop() == 0)
        let lines = Self.lines(d)
        #expect(lines.count >= 3, "\(lines)")
        for line in lines {
            let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(obj?["level"] is String && obj?["message"] is String && (obj?["time"] as? String)?.hasSuffix("Z") == true, "\(line)")
        }
        #expect(lines.contains { $0.contains(#""message":"policy reloaded""#) && $0.contains(#""metadata":{"grants":"#) }, "\(lines)")

        let quiet = try DaemonHarness(extra: "[log]\nlevel = \"warning\"\n")
        try quiet.start()
        #expect(try quiet.s.vv(["reload"] + quiet.cfg + ["--state-dir", quiet.s.state, "--admin-socket", quiet.admin]).code == 0)
        #expect(quiet.stop() == 0)
        #expect(!quiet.log().contains("policy reloaded") && !quiet.log().contains(" info "), "\(quiet.log())")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// `device:inode` of the daemon's log file, as systemd names its journal stream.
    static func stream(_ d: DaemonHarness) -> String {
        if !FileManager.default.fileExists(atPath: d.logPath) { _ = FileManager.default.createFile(atPath: d.logPath, contents: nil) }
        var st = stat()
        _ = stat(d.logPath, &st)
        return "\(st.st_dev):\(st.st_ino)"
    }

    @Test func underJournaldEachLineStartsWithItsPriority() throws {
        let d = try DaemonHarness()
        try d.start(environment: ["JOURNAL_STREAM": Self.stream(d)])
        let good = try String(contentsOfFile: d.config, encoding: .utf8)
        try (good + "\n[[grant]\n").write(toFile: d.config, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        usleep(400_000)
        #expect(d.stop() == 0)
        let lines = Self.lines(d)
        #expect(lines.contains { $0.hasPrefix("<3>error reload failed; keeping the policy in force") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>info ") } && lines.allSatisfy { $0.hasPrefix("<") }, "\(lines)")
    }

    /// A JOURNAL_STREAM inherited from elsewhere (not this stderr) adds no priorities.
    @Test func anInheritedJournalStreamIsNotThisOne() throws {
        let d = try DaemonHarness()
        try d.start(environment: ["JOURNAL_STREAM": "8:12345"])
        #expect(d.stop() == 0)
        #expect(Self.lines(d).allSatisfy { !$0.hasPrefix("<") }, "\(Self.lines(d))")
    }
}
