import Foundation
import Testing

/// The Debian package (`make deb`) installed the way an operator installs it, in a container made
/// by `scripts/container.sh` from this machine's own system with no Swift toolchain in it:
/// `Tests/system/install-deb.sh` installs it, makes a vault with the installed binary, removes
/// and purges it, and reports what it saw.
@Suite struct PackageTests {
    static let repo = SystemdUnitTests.repo

    /// `$VOBIZ_VAULT_TEST_DEB`, or the package `make deb` left in `.build/deb`.
    static func deb() throws -> String {
        if let p = ProcessInfo.processInfo.environment["VOBIZ_VAULT_TEST_DEB"] { return p }
        let dir = repo + "/.build/deb"
        let found = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasSuffix("_amd64.deb") }.sorted() ?? []
        guard let last = found.last else { throw PackageMissing() }
        return dir + "/" + last
    }

    struct PackageMissing: Error, CustomStringConvertible {
        var description: String { "no .deb in .build/deb: run `make deb` first (`make test` makes one)" }
    }

    /// Runs `script` (from Tests/system) in a new container beside the package; its facts.
    static func runInContainer(_ script: String, probe: String? = nil) throws -> (facts: [String: String], out: String) {
        let deb = try deb()
        let base = NSTemporaryDirectory() + "vv-package-" + UUID().uuidString
        let input = base + "/in", output = base + "/out"
        for d in [input, output] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: deb, toPath: input + "/" + URL(fileURLWithPath: deb).lastPathComponent)
        for s in [script] + (probe.map { [$0] } ?? []) {
            try FileManager.default.copyItem(atPath: repo + "/Tests/system/" + s, toPath: input + "/" + s)
        }
        let r = try Binary.run([input, output, script] + (probe.map { [$0] } ?? []), timeout: 400, executable: repo + "/scripts/container.sh")
        #expect(r.code == 0, "scripts/container.sh: \(r.all)")
        let text = (try? String(contentsOfFile: output + "/facts", encoding: .utf8)) ?? ""
        var facts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            facts[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (facts, output)
    }

    @Test func theDebInstallsRunsWithoutSwiftAndKeepsTheVaultWhenPurged() throws {
        let deb = try Self.deb()
        let version = URL(fileURLWithPath: deb).lastPathComponent.split(separator: "_")[1]
        let (f, out) = try Self.runInContainer("install-deb.sh")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path) }
        let log = { (name: String) in (try? String(contentsOfFile: out + "/" + name, encoding: .utf8)) ?? "" }
        #expect(f["install"] == "0", "dpkg -i: \(log("dpkg-install.log")) \(log("setup.log"))")
        let versionLine = f["version"] ?? ""
        #expect(versionLine.hasPrefix("vobiz-vault \(version) (revision "), "\(versionLine)")
        #expect(versionLine.range(of: #"\(revision [0-9a-f]{12}(-dirty)?\)$"#, options: .regularExpression) != nil, "\(versionLine)")
        // No Swift toolchain inside, none linked: only Debian's libraries.
        #expect(f["swift-on-disk"] == "", "\(f["swift-on-disk"] ?? "")")
        #expect(f["ldd-swift"] == "0" && f["ldd-missing"] == "0", "\(f["libraries"] ?? "")")
        for lib in ["libc.so.6", "libsodium.so.23", "libsqlite3.so.0"] { #expect(f["libraries"]?.contains(lib) == true, "\(lib)") }
        for pkg in ["libc6", "libsodium23", "libsqlite3-0", "systemd"] { #expect(f["depends"]?.contains(pkg) == true, "Depends: \(f["depends"] ?? "")") }
        #expect(f["user"] == "vobiz-vault:/var/lib/vobiz-vault:/usr/sbin/nologin")
        #expect(f["groups"] == "vobiz-vault vobiz-vault-clients vobiz-vault-admins")
        #expect(f["etc-dir"] == "750 root:vobiz-vault")
        #expect(f["conffiles"] == "/etc/vobiz-vault/config.toml")
        #expect(f["units"] == "vobiz-vault-admin.socket vobiz-vault-remind.service vobiz-vault-remind.timer vobiz-vault.service vobiz-vault.socket")
        // Installed, not enabled or started.
        #expect(f["units-enabled"] == "0" && f["running"] == "0")
        #expect(Int(f["man"] ?? "") ?? 0 >= 10, "man pages: \(f["man"] ?? "")")
        #expect(f["completions"] == "3" && (Int(f["docs"] ?? "") ?? 0) >= 5)
        #expect(f["init"] == "0", "init: \(log("init.log"))")
        #expect(f["status"] == "0" && log("status.json").contains("\"vault_id\""), "status: \(log("status.json"))")
        // remove keeps the state and the edited configuration; purge keeps the state and says so.
        #expect(f["remove"] == "0" && f["after-remove"] == "vault.db 1", "\(f["after-remove"] ?? "")")
        #expect(f["purge"] == "0" && f["purge-says"] != "0", "purge: \(log("dpkg-purge.log"))")
        #expect(f["after-purge"] == "vault.db 0", "\(f["after-purge"] ?? "")")
    }

    /// The installed units under a real systemd, booted as the container's PID 1
    /// (`Tests/system/units-setup.sh`, then `units-probe.sh`).
    @Test func theUnitsWorkUnderARealSystemd() throws {
        let (f, out) = try Self.runInContainer("units-setup.sh", probe: "units-probe.sh")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path) }
        let log = { (name: String) in (try? String(contentsOfFile: out + "/" + name, encoding: .utf8)) ?? "" }
        let context = "\(f)\n\(log("setup.log").suffix(2000))\n\(log("journal.log").suffix(3000))"
        #expect(f["systemd"]?.hasPrefix("systemd ") == true, "\(context)")
        // Socket activation: nothing runs until the first connect, which is answered.
        #expect(f["sockets-started"] == "active active" && f["service-before-connect"] == "inactive", "\(context)")
        #expect(f["alice-first"] == "200" && f["service-after-connect"] == "active", "\(context)")
        // Starting the service leaves the directory the socket units made, and its sockets, as they were.
        #expect(f["run-dir-before"] == "751" && f["run-dir-after"] == "751 root", "\(context)")
        #expect(f["client-socket"] == "660 vobiz-vault:vobiz-vault-clients", "\(context)")
        #expect(f["admin-socket"] == "660 vobiz-vault:vobiz-vault-admins", "\(context)")
        // A user outside the client group cannot connect (curl: 7, could not connect).
        #expect(f["bob-curl-exit"] == "7", "\(context)")
        // A restart keeps both sockets open and answers every request sent meanwhile.
        #expect(f["restart"] == "0" && f["restart-new-pid"] == "yes", "\(context)")
        let load = try JSONSerialization.jsonObject(with: Data((f["restart-load"] ?? "{}").utf8)) as? [String: Any]
        #expect(load?["failed"] as? Int == 0 && (load?["ok"] as? Int ?? 0) > 50, "\(f["restart-load"] ?? "")")
        #expect(f["sockets-after-restart"] == "active active", "\(context)")
        // The daemon's user is no admin (the reload runs as root); a client cannot even connect.
        #expect(f["daemon-user-status"] == "403" && f["daemon-user-reload"] == "403" && f["alice-admin"] == "000", "\(context)")
        // Reload waits for the daemon, and a broken file fails it and changes nothing.
        #expect(f["reload-good"] == "0", "\(context)")
        #expect(f["reload-broken"] != "0" && f["reload-broken-log"] != "0", "\(log("reload-broken.log")) \(context)")
        #expect(f["service-after-broken"] == "active" && f["reload-fixed"] == "0" && f["alice-last"] == "200", "\(context)")
        // The timer fires remind, whose finding (exit 1: due within the warn window) reaches the
        // webhook through the notifier of [remind] exec, from inside the unit's sandbox.
        #expect(f["import"] == "0" && f["edit"] == "0", "\(log("import.log")) \(log("edit.log"))")
        // Root and an admin-group member reach the daemon without owning its state directory;
        // a user outside the group does not.
        #expect(f["carol-status"] == "1" && f["bob-status"] == "1", "\(context)")
        // exec --proxy under the unit: the program's call goes out with the real token (its
        // length, not the stand-in's), another user's connection is closed unanswered (000), and
        // the listener closes with the program (curl: 7).
        #expect(f["exec-own"] == "200" && f["exec-upstream"] == "MA_REMINDPROBE \(f["exec-token-length"] ?? "-")", "\(log("exec.log")) \(context)")
        #expect(f["exec-bob"] == "000" && f["exec-status"] == "0" && f["exec-after"] == "7", "\(log("exec.log")) \(context)")
        #expect(f["hook"]?.contains("MA_REMINDPROBE") == true && f["hook"]?.contains("rotation due") == true, "\(log("remind.log")) \(context)")
        #expect(f["remind-result"] == "exit-code 1", "\(log("remind.log"))")
    }
}
