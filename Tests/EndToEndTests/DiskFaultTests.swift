import Foundation
import Testing

/// The state directory on a small tmpfs that fills up: requests that need an audit row are
/// refused with `internal`, nothing is corrupted, and service resumes by itself once space is back.
@Suite(.serialized) struct DiskFaultTests {
    @Test func aFullDiskRefusesRequestsAndServiceResumesWhenSpaceIsBack() throws {
        let s = try Scratch()
        try FileManager.default.createDirectory(atPath: s.state, withIntermediateDirectories: true)
        let mounted = try Process.run("/usr/bin/env", ["sh", "-c", "mount -t tmpfs -o size=6m,mode=0700 vvdisk \(s.state) && echo ok"])
        #expect(mounted.contains("ok"), "the test needs to mount a tmpfs (root with CAP_SYS_ADMIN)")
        defer { _ = try? Process.run("/usr/bin/env", ["umount", "-l", s.state]) }
        let d = try DaemonHarness(scratch: s)
        try d.start()
        let url = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"
        #expect(try d.headers("GET", url)["mode"] as? String == "sealed")

        // Fill the filesystem, then keep asking until the audit log cannot grow.
        let filler = s.state + "/filler"
        _ = try Process.run("/usr/bin/env", ["sh", "-c", "dd if=/dev/zero of=\(filler) bs=64k 2>/dev/null; sync"])
        var refusedWith: String?
        var answered = 0
        for _ in 0..<4000 {
            let r = try d.headers("GET", url)
            if let type = problemType(r) {
                refusedWith = type
                break
            }
            answered += 1
        }
        #expect(refusedWith == "internal", "requests must be refused once audit rows cannot be written (answered \(answered))")
        let health = try d.curl(["http://v/v1/health"])
        #expect(health.contains("\"audit\":\"failing\""), "\(health)")
        #expect(d.log().contains("audit log cannot be written"))

        // Space back: service resumes by itself.
        try FileManager.default.removeItem(atPath: filler)
        var resumed = false
        for _ in 0..<100 {
            if try d.headers("GET", url)["mode"] as? String == "sealed" {
                resumed = true
                break
            }
            usleep(100_000)
        }
        #expect(resumed, "service must resume once space is back: \(d.log().suffix(400))")
        #expect(d.log().contains("audit log writable again"))
        #expect(d.stop() == 0)
        // Nothing corrupted: the chain verifies, every version opens.
        #expect(try d.s.vv(["audit", "verify"] + d.cfg).code == 0)
        #expect(try d.s.vv(["rekey", "--data-key"] + d.cfg).code == 0)
        let check = try Process.run("/usr/bin/env", ["python3", "-c", "import sqlite3; print(sqlite3.connect('\(s.state)/vault.db').execute('PRAGMA integrity_check').fetchone()[0])"])
        #expect(check.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func aReadOnlyStateDirectoryIsRefusedAtStart() throws {
        // Linux refuses to remount a filesystem read-only while the daemon holds its database
        // open for writing (EBUSY), so the read-only case that can happen is one found at start.
        let s = try Scratch()
        let d = try DaemonHarness(scratch: s)
        let ro = s.root + "/ro"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        let bound = try Process.run("/usr/bin/env", ["sh", "-c", "mount --bind \(s.state) \(ro) && mount -o remount,bind,ro \(ro) && echo ok"])
        #expect(bound.contains("ok"), "the test needs bind mounts (root with CAP_SYS_ADMIN)")
        defer { _ = try? Process.run("/usr/bin/env", ["umount", "-l", ro]) }
        let before = try d.s.files()
        let r = try d.s.vv(["serve", "--config", d.config, "--state-dir", ro])
        #expect(r.code != 0 && (r.err.contains("read-only") || r.err.contains("readonly") || r.err.contains("cannot")), "\(r.all)")
        #expect(try d.s.files() == before, "nothing written")
    }
}
