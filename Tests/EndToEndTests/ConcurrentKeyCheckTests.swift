import Foundation
import Testing
import VaultTestSupport

/// The master key is checked on a connection that takes no lock (so that a wrong key changes no
/// byte). Offline commands may write at the same moment; a key check that raced a writer reads
/// again instead of reporting a wrong key or a malformed database.
@Suite(.serialized) struct ConcurrentKeyCheckTests {
    @Test func keyChecksDuringConcurrentRotationsNeverFail() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"MA_RACE","auth_token":"\#(s.token("v1"))"}"#).code == 0)
        // A writer rotating as fast as it can, in its own processes.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", """
            i=0; while [ $i -lt 40 ]; do i=$((i+1))
              printf '%s-rot-%s' "$1" "$i" | "$2" rotate MA_RACE --grace 1s --state-dir "$3" --key-file "$4" >/dev/null || exit 1
            done
            """, "sh", s.canary, Binary.path, s.state, s.key]
        try writer.run()
        var checks = 0, failures: [String] = []
        while writer.isRunning || checks < 10 {
            let r = try s.vv(["list", "--json"] + s.keyed)
            checks += 1
            if r.code != 0 { failures.append(r.err) }
            if checks > 400 { break }
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0, "the rotations failed")
        #expect(failures.isEmpty, "\(failures.count) of \(checks) key checks failed: \(failures.prefix(3))")
        let verify = try s.vv(["audit", "verify"] + s.keyed)
        #expect(verify.code == 0, "\(verify.all)")
        #expect(try s.canaryHits().isEmpty)
        print("concurrent key checks: \(checks) while 40 rotations ran, \(failures.count) failed")
    }
}
