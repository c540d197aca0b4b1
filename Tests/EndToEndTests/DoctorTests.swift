import Foundation
import Testing

/// `doctor` on a healthy installation, then on each of a set of seeded misconfigurations.
@Suite struct DoctorTests {
    func doctor(_ d: DaemonHarness, config: String? = nil) throws -> Binary.Result {
        try d.s.vv(["doctor", "--config", config ?? d.config])
    }

    @Test func findsEachSeededMisconfigurationWithItsFix() throws {
        let d = try DaemonHarness(grants: DaemonHarness.defaultGrants + """

            [[grant]]
            name = "gone"
            uid = 0
            credentials = ["MA_NOTHELD"]
            operations = ["headers"]
            """)
        let clean = try doctor(d)
        #expect(clean.code == 1 && clean.out.contains("grant gone names MA_NOTHELD") && clean.out.contains("1 problem"), "\(clean.all)")
        let healthy = try DaemonHarness()
        let ok = try doctor(healthy)
        #expect(ok.code == 0 && ok.out.contains("no problems found"), "\(ok.all)")

        // A key file others can read.
        chmod(healthy.s.key, 0o644)
        let key = try doctor(healthy)
        #expect(key.code == 1 && key.out.contains("key file") && key.out.contains("fix: chmod 400 \(healthy.s.key)"), "\(key.all)")
        chmod(healthy.s.key, 0o400)

        // A state directory owned by someone else.
        chown(healthy.s.state, 65534, 65534)
        let owner = try doctor(healthy)
        #expect(owner.code == 1 && owner.out.contains("is owned by uid 65534") && owner.out.contains("fix: chown -R root: \(healthy.s.state)"),
                "\(owner.all)")
        chown(healthy.s.state, 0, 0)

        // A socket directory owned by another user.
        let run = healthy.s.root + "/run"
        mkdir(run, 0o750)
        chown(run, 65534, 65534)
        let sockets = try doctor(healthy)
        #expect(sockets.code == 1 && sockets.out.contains("socket directory") && sockets.out.contains("fix: chown root \(run)"), "\(sockets.all)")
        // One of ours that its group may write: the daemon would refuse it too.
        chown(run, 0, 0)
        chmod(run, 0o770)
        let writable = try doctor(healthy)
        #expect(writable.code == 1 && writable.out.contains("writable by its group or others") && writable.out.contains("fix: chmod go-w \(run)"),
                "\(writable.all)")
        rmdir(run)

        // A config file that does not parse.
        let broken = healthy.s.root + "/broken.toml"
        try "[vault\nstate_dir = 1\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let config = try healthy.s.vv(["doctor", "--config", broken, "--state-dir", healthy.s.state, "--json"])
        #expect(config.code == 1 && (config.out.contains("\"check\" : \"config\"") || config.out.contains("\"check\":\"config\"")), "\(config.all)")

        #expect(try doctor(healthy).code == 0, "every fix applied: healthy again")
    }
}
