import Foundation
import Testing

/// Attempts to borrow another program's identity on the client socket, each made the way an
/// unprivileged local user would: as `nobody` (through `setpriv`), with namespaces it may make
/// itself (`unshare`), real processes and the real socket. The grant under attack reveals the
/// token of MA_BETA to one program, `billing-tool`, run by nobody: the attacks borrow the
/// program's identity, not the user's.
@Suite(.serialized) struct IdentityAttackTests {
    final class Setup {
        let d: DaemonHarness
        /// The granted program: a copy of the Python interpreter, so the attack scripts run in it.
        let granted: String
        let script: String

        init(grant extra: String) throws {
            let s = try Scratch()
            granted = s.root + "/billing-tool"
            d = try DaemonHarness(grants: """
                [[grant]]
                name = "billing-tool"
                \(extra.isEmpty ? "uid = 65534\nexe = \"\(s.root)/billing-tool\"" : extra)
                credentials = ["MA_BETA"]
                operations = ["headers"]
                reveal = true
                """, scratch: s)
            let python = URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path
            try FileManager.default.copyItem(atPath: python, toPath: granted)
            script = s.root + "/borrow_identity.py"
            try FileManager.default.copyItem(atPath: DaemonHarness.pythonDir + "/borrow_identity.py", toPath: script)
            chmod(granted, 0o755)
            chmod(script, 0o644)
            try d.start()
        }

        /// Runs `argv` as nobody and parses the JSON answer it prints.
        func asNobody(_ argv: [String]) throws -> [String: Any] {
            let out = try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups"] + argv)
            d.s.captured.append(out)
            let line = out.split(separator: "\n").last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": out]
        }

        func refusals() throws -> [String] {
            try d.auditJSON().filter { $0["outcome"] as? String == "refused" }.map {
                String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self)
            }
        }
    }

    /// The granted program itself is answered: the refusals below are about the borrowing.
    @Test func theGrantedProgramIsAnswered() throws {
        let t = try Setup(grant: "")
        let answer = try t.asNobody([t.granted, t.script, "ask", t.d.client])
        #expect(answer["status"] as? Int == 200 && answer["token_seen"] as? Bool == true, "\(answer) \(t.d.log())")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// In a user and mount namespace of its own, an unprivileged user mounts the interpreter over
    /// the granted path and execs that path: `/proc/<pid>/exe` reads as the granted path, but the
    /// running image is the interpreter (another inode), and the namespace is not the daemon's.
    @Test func anInterpreterMountedOverTheGrantedPathIsRefused() throws {
        let t = try Setup(grant: "")
        let python = URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path
        let answer = try t.asNobody(["/usr/bin/unshare", "-Urm", "/bin/sh", "-c",
                                     "mount --bind \"$1\" \"$2\" && exec \"$2\" \"$3\" ask \"$4\"",
                                     "sh", python, t.granted, t.script, t.d.client])
        #expect(answer["status"] as? Int == 403 && answer["type"] as? String == "not_granted", "\(answer)")
        #expect(answer["token_seen"] as? Bool == false, "\(answer)")
        // The audit row names the program the link showed and why it does not count.
        let rows = try t.refusals()
        #expect(rows.count == 1 && rows[0].contains("billing-tool") && rows[0].contains("another user namespace"), "\(rows)")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// A mount namespace alone (made by root here, as a container runtime would) with the
    /// interpreter mounted over the granted path: the path names another file there than here.
    @Test func aCallerInAnotherMountNamespaceIsNotMatchedByExe() throws {
        let t = try Setup(grant: "")
        let python = URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path
        let out = try Process.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c",
                                  "mount --bind \"$1\" \"$2\" && exec setpriv --reuid=65534 --regid=65534 --clear-groups \"$2\" \"$3\" ask \"$4\"",
                                  "sh", python, t.granted, t.script, t.d.client])
        t.d.s.captured.append(out)
        let answer = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? ["unparsed": out]
        #expect(answer["status"] as? Int == 403 && answer["token_seen"] as? Bool == false, "\(answer)")
        let rows = try t.refusals()
        #expect(rows.count == 1 && rows[0].contains("another mount namespace"), "\(rows)")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// connect, fork, exec: the parent execs the granted program while the child keeps the
    /// connection and writes the request. The daemon is stopped until the child has written, so
    /// that it looks at the connecting pid only once it runs the granted program, every time.
    @Test func aRequestWrittenByAnotherProcessThanTheOneThatConnectedIsRefused() throws {
        let t = try Setup(grant: "")
        let answer = try forkExec(t, parentAsks: false)
        #expect(answer["status"] as? Int == 403 && answer["type"] as? String == "not_granted", "\(answer) \(t.d.log())")
        #expect(answer["token_seen"] as? Bool == false, "\(answer)")
        let rows = try t.refusals()
        #expect(rows.count == 1 && rows[0].contains("written by pid"), "\(rows)")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// The same connection, written by the process that connected (now the granted program, which
    /// inherited it): answered. The refusal above is about who wrote, not about the exec's timing.
    @Test func theConnectingProcessMayWriteOnTheConnectionAfterItsExec() throws {
        let t = try Setup(grant: "")
        let answer = try forkExec(t, parentAsks: true)
        #expect(answer["status"] as? Int == 200 && answer["token_seen"] as? Bool == true, "\(answer) \(t.d.log())")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// A unit grant names the unit systemd gave the process. A subtree below another unit (a
    /// container, or a delegated cgroup its owner names as it likes) with the granted unit's
    /// name does not match; the granted unit itself does.
    @Test func aSubCgroupNamedAfterTheGrantedUnitIsNotThatUnit() throws {
        let unit = "vvtest-\(UUID().uuidString.prefix(8).lowercased())-billing.service"
        let t = try Setup(grant: "unit = \"\(unit)\"")
        let root = try #require(Self.systemdHierarchy(), "no cgroup hierarchy that names systemd units")
        let genuine = root + "/system.slice/" + unit
        let impostor = root + "/system.slice/" + "vvtest-other.service/" + unit
        defer { for dir in [genuine, impostor, root + "/system.slice/vvtest-other.service"] { rmdir(dir) } }
        for dir in [genuine, impostor] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        func ask(in cgroup: String) throws -> [String: Any] {
            let out = try Process.run("/bin/sh", ["-c", "echo $$ > \"$1/cgroup.procs\" && exec setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \"$2\" ask \"$3\"",
                                                  "sh", cgroup, t.script, t.d.client])
            t.d.s.captured.append(out)
            return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? ["unparsed": out]
        }
        let inside = try ask(in: genuine)
        #expect(inside["status"] as? Int == 200 && inside["token_seen"] as? Bool == true, "\(inside) \(t.d.log())")
        let below = try ask(in: impostor)
        #expect(below["status"] as? Int == 403 && below["token_seen"] as? Bool == false, "\(below)")
        let rows = try t.refusals()
        #expect(rows.count == 1 && rows[0].contains("unit vvtest-other.service is not"), "\(rows)")
        #expect(try t.d.s.canaryHits().isEmpty)
    }

    /// Where systemd keeps its units: the `name=systemd` hierarchy (cgroup v1 and hybrid), else
    /// the unified one.
    static func systemdHierarchy() -> String? {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let lines = mounts.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        if let v1 = lines.first(where: { $0.count > 3 && $0[2] == "cgroup" && $0[3].contains("name=systemd") }) { return v1[1] }
        return lines.first(where: { $0.count > 2 && $0[2] == "cgroup2" })?[1]
    }

    private func forkExec(_ t: Setup, parentAsks: Bool) throws -> [String: Any] {
        guard let daemon = t.d.process?.processIdentifier else { throw CocoaError(.fileNoSuchFile) }
        let marker = t.d.s.root + "/written"
        let dir = t.d.s.root
        chmod(dir, 0o777)
        defer { chmod(dir, 0o755) }
        kill(daemon, SIGSTOP)
        defer { kill(daemon, SIGCONT) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", t.script, "forkexec",
                       t.d.client, t.granted, marker] + (parentAsks ? ["parent-asks"] : [])
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: marker), "the attacker never wrote")
        usleep(100_000)
        kill(daemon, SIGCONT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        t.d.s.captured.append(text)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": text]
    }
}
