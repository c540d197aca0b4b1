import Foundation
import Testing

/// SIGKILL at random points of `rekey`, `rekey --data-key`, `rotate` and an `import` of 1,000
/// accounts, 200 times in all: after each, the vault opens with the old or the new master key
/// (never neither, never both), and nothing committed is lost.
@Suite(.serialized) struct KeyChangeCrashTests {
    /// Which of the two key files opens the vault now (exactly one must).
    func opener(_ s: Scratch, _ keys: [String]) throws -> [String] {
        try keys.filter { k in try s.vv(["audit", "verify", "--state-dir", s.state, "--key-file", k]).code == 0 }
    }

    @Test func killedKeyChangesLeaveOneWorkingKeyAndLoseNothing() throws {
        let s = try Scratch()
        let keyA = s.root + "/a.key", keyB = s.root + "/b.key"
        #expect(try s.vv(["init", "--state-dir", s.state, "--key-file", keyA]).code == 0)
        // A second key file, made by initialising a throwaway vault with it.
        #expect(try s.vv(["init", "--state-dir", s.root + "/throwaway", "--key-file", keyB]).code == 0)
        let seed = (0..<40).map { #"{"auth_id":"MA_S\#($0)","auth_token":"\#(s.token("s\($0)"))"}"# }.joined(separator: ",")
        #expect(try s.vv(["import", "--state-dir", s.state, "--key-file", keyA], stdin: "[" + seed + "]").code == 0)
        var current = keyA
        var killed = 0, attempts = 0, completedRotations = 0
        var generator = SystemRandomNumberGenerator()
        var batches: [[String]] = []
        while killed < 200 && attempts < 1200 {
            attempts += 1
            let other = current == keyA ? keyB : keyA
            let op = attempts % 4
            let args: [String], input: String?
            switch op {
            case 0: (args, input) = (["rekey", "--new-key-file", other, "--state-dir", s.state, "--key-file", current], nil)
            case 1: (args, input) = (["rekey", "--data-key", "--state-dir", s.state, "--key-file", current], nil)
            case 2: (args, input) = (["rotate", "MA_S0", "--grace", "1h", "--state-dir", s.state, "--key-file", current], s.token("r\(attempts)"))
            default:
                let ids = (0..<1000).map { "MA_I\(attempts)X\($0)" }
                batches.append(ids)
                args = ["import", "--state-dir", s.state, "--key-file", current]
                input = "[" + ids.map { #"{"auth_id":"\#($0)","auth_token":"\#(s.token($0))"}"# }.joined(separator: ",") + "]"
            }
            let running = try Binary.start(args, stdin: input)
            usleep(UInt32.random(in: 0...(op == 3 ? 1_000_000 : 120_000), using: &generator))
            if running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                killed += 1
            }
            running.process.waitUntilExit()
            let finished = running.process.terminationReason == .exit && running.process.terminationStatus == 0
            if op == 2 && finished { completedRotations += 1 }
            // Exactly one key opens the vault; a finished rekey moved it to the other.
            let opens = try opener(s, [keyA, keyB])
            #expect(opens.count == 1, "after \(args.first ?? "") (\(finished ? "finished" : "killed")): keys that open: \(opens)")
            guard let now = opens.first else { break }
            if op == 0 && finished { #expect(now == other, "a finished rekey must leave the new key in force") }
            current = now
        }
        #expect(killed == 200, "only \(killed) kills landed mid-command in \(attempts) runs")

        // Every sealed row opens under the key in force, and the chain verifies. The vault now
        // holds the tens of thousands of rows the imports committed; resealing them all is
        // timed by nothing here, so a machine busy with other suites gets its time (and so do
        // the commands that read them all after it).
        #expect(try s.vv(["rekey", "--data-key", "--state-dir", s.state, "--key-file", current], timeout: 600).code == 0)
        #expect(try s.vv(["audit", "verify", "--state-dir", s.state, "--key-file", current], timeout: 600).code == 0)
        let list = try s.vv(["list", "--json", "--state-dir", s.state], timeout: 600)
        let creds = (try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["credentials"] as? [[String: Any]] ?? []
        #expect(creds.allSatisfy { $0["active_version"] is Int })
        let present = Set(creds.compactMap { $0["auth_id"] as? String })
        for b in batches {
            let n = b.filter(present.contains).count
            #expect(n == 0 || n == b.count, "an import of 1,000 was half committed: \(n)")
        }
        // Every rotation that reported success left its version behind.
        let show = try s.vv(["show", "MA_S0", "--json", "--state-dir", s.state])
        let versions = ((try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any])?["versions_count"] as? Int) ?? 0
        #expect(versions >= completedRotations + 1, "\(versions) versions for \(completedRotations) finished rotations")
        #expect(try s.canaryHits().isEmpty)
        print("key-change crashes: \(killed) kills in \(attempts) runs, \(completedRotations) rotations finished, \(present.count) credentials")
    }
}
