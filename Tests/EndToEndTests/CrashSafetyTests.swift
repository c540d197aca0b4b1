import Foundation
import Testing

/// SIGKILL at random moments of `rotate` and `import`: every commit is whole or absent.
@Suite(.serialized) struct CrashSafetyTests {
    @Test func killedRotationsAndImportsLoseNothing() throws {
        let s = try Scratch()
        try s.vv(["init"] + s.keyed)
        try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_CRASH","auth_token":"\#(s.token("v0"))"}"#)
        var rotateTokens = [s.token("v0")]
        var batches: [[String]] = []
        var killed = 0, completed = 0
        var generator = SystemRandomNumberGenerator()

        // Until 50 kills have landed mid-command (bounded, in case the machine is very fast).
        var i = -1
        while killed < 50 && i < 400 {
            i += 1
            let args: [String], input: String
            if i % 2 == 0 {
                let t = s.token("v\(i + 1)")
                rotateTokens.append(t)
                args = ["rotate", "MA_CRASH", "--grace", "1h"] + s.keyed
                input = t
            } else {
                let ids = (0..<20).map { "MA_B\(i)X\($0)" }
                batches.append(ids)
                args = ["import"] + s.keyed
                input = "[" + ids.map { #"{"auth_id":"\#($0)","auth_token":"\#(s.token($0))"}"# }.joined(separator: ",") + "]"
            }
            let running = try Binary.start(args, stdin: input)
            usleep(UInt32.random(in: 0...60_000, using: &generator))
            if running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                killed += 1
            } else {
                completed += 1
            }
            running.process.waitUntilExit()
        }
        #expect(killed == 50, "only \(killed) kills landed mid-command in \(i + 1) runs")

        // The audit chain verifies and every sealed version opens (rekey --data-key opens each).
        let verify = try s.vv(["audit", "verify"] + s.keyed)
        #expect(verify.code == 0, "\(verify.err)")
        let rekey = try s.vv(["rekey", "--data-key"] + s.keyed)
        #expect(rekey.code == 0, "\(rekey.err)")

        // Every account has exactly one active version.
        let list = try s.vv(["list", "--json"] + s.readOnly)
        let creds = try #require((try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["credentials"] as? [[String: Any]])
        #expect(creds.allSatisfy { $0["active_version"] is Int })

        // Each import batch is all there or not there at all.
        let present = Set(creds.map { $0["auth_id"] as! String })
        for b in batches {
            let n = b.filter(present.contains).count
            #expect(n == 0 || n == b.count, "a batch was half imported: \(n) of \(b.count)")
        }

        // The active token of MA_CRASH is one of those sent, and it opens: importing it is a no-op.
        let unchanged = try rotateTokens.filter { t in
            try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_CRASH","auth_token":"\#(t)"}"#).code == 0
        }
        #expect(unchanged.count == 1)
        #expect(try s.vv(["audit", "verify"] + s.keyed).code == 0)
        #expect(try s.canaryHits().isEmpty)
        print("crash safety: \(killed) kills mid-command, \(completed) completed before the kill")
    }
}
