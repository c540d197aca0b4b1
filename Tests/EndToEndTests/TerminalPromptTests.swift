import Foundation
import Testing
import VaultTestSupport

/// `init --passphrase` on a real pseudo-terminal: asked twice, echo off, mismatch refused.
@Suite(.serialized) struct TerminalPromptTests {
    /// Runs argv (JSON) on a pseudo-terminal, answering each prompt in turn (JSON pairs), and
    /// prints everything the terminal showed.
    static let driver = #"""
    import json, os, pty, sys, time
    argv = json.loads(sys.argv[1])
    answers = json.loads(sys.argv[2])
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    seen = b""
    def read_until(marker, limit=10):
        global seen
        end = time.time() + limit
        while marker not in seen and time.time() < end:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    for prompt, answer in answers:
        read_until(prompt.encode())
        os.write(fd, answer.encode() + b"\n")
    read_until(b"\x00", limit=30)
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        seen += b"[driver: killed a hung prompt]"
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))
    """#

    /// Runs `argv` on a pseudo-terminal with `answers` ([prompt, answer] pairs).
    static func onTerminal(_ s: Scratch, _ argv: [String], _ answers: [[String]]) throws -> (Int32, String) {
        let script = s.root + "/drive.py"
        try driver.write(toFile: script, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, String(decoding: try JSONSerialization.data(withJSONObject: argv), as: UTF8.self),
                       String(decoding: try JSONSerialization.data(withJSONObject: answers), as: UTF8.self)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        s.captured.append(text)
        return (p.terminationStatus, text)
    }

    func drive(_ s: Scratch, _ first: String, _ second: String) throws -> (Int32, String) {
        try Self.onTerminal(s, [Binary.path, "init", "--passphrase", "--state-dir", s.state],
                            [["passphrase: ", first], ["Repeat passphrase: ", second]])
    }

    @Test func passphraseIsAskedTwiceWithoutEcho() throws {
        let s = try Scratch()
        let pass = s.canary + "-pass"
        SuiteSweep.canary("password", pass)
        let (bad, badOut) = try drive(s, pass, pass + "x")
        #expect(bad == 1 && badOut.contains("do not match"), "\(badOut)")
        let (ok, out) = try drive(s, pass, pass)
        #expect(ok == 0, "\(out)")
        #expect(out.contains("New vault passphrase: ") && out.contains("Repeat passphrase: ") && out.contains("master key: passphrase"))
        #expect(!out.contains(s.canary), "the passphrase was echoed")
        let passFile = s.root + "/p"
        FileManager.default.createFile(atPath: passFile, contents: Data((pass + "\n").utf8), attributes: [.posixPermissions: 0o600])
        SuiteSweep.input(passFile)
        #expect(try s.vv(["audit", "verify", "--passphrase-file", passFile] + s.readOnly).code == 0)
    }
}

/// `-` for standard input, given on a terminal where a typed secret would echo: refused, and
/// nothing changes.
@Suite struct DashOnATerminalTests {
    @Test func aTokenFileOfDashOnATerminalIsRefused() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"PA_MAIN","auth_token":"\#(s.token("p"))"}"#).code == 0)
        let (code, out) = try TerminalPromptTests.onTerminal(s, [Binary.path, "rotate", "partner", "--token-file", "-"] + s.keyed, [])
        #expect(code == 64 || code == 1, "\(out)")
        #expect(out.contains("standard input is a terminal"), "\(out)")
        let shown = try s.vv(["show", "partner", "--json"] + s.readOnly)
        #expect(shown.out.contains("\"version\" : 1") || shown.out.contains("\"version\":1"), "\(shown.all)")
        #expect(!shown.out.contains("\"version\" : 2") && !shown.out.contains("\"version\":2"), "\(shown.all)")
        #expect(try s.canaryHits().isEmpty)
    }
}

/// `login-credentials set` on a real pseudo-terminal: email and password asked without echo.
@Suite struct LoginPromptTests {
    @Test func emailAndPasswordAreAskedWithoutEcho() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        #expect(try s.vv(["import"] + s.keyed, stdin: #"{"auth_id":"PA_MAIN","auth_token":"\#(s.token("p"))"}"#).code == 0)
        let email = "ops@example.com", password = s.canary + "-pw"
        SuiteSweep.canary("password", password)
        let argv = [Binary.path, "login-credentials", "set", "partner"] + s.keyed
        let answers = [["Email: ", email], ["Password: ", password]]
        let (_, out) = try TerminalPromptTests.onTerminal(s, argv, answers)
        #expect(out.contains("stored the login credentials of partner"), "\(out)")
        #expect(!out.contains(password) && !out.contains(email), "nothing typed is echoed")
        let status = try s.vv(["jwt", "status", "--json"] + s.readOnly)
        #expect(status.out.contains("\"has_login_credentials\" : true") || status.out.contains("\"has_login_credentials\":true"), "\(status.all)")
        #expect(try s.canaryHits().isEmpty)
    }
}
