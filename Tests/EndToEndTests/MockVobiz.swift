import Foundation
import Testing
import VaultTestSupport

/// Tests/python/mock_vobiz.py on a loopback port: the Vobiz API as far as the tests need it.
/// It knows the tokens of a scratch vault (canaries) and mints canary tokens for new customers.
final class MockVobiz {
    let process: Process
    let port: Int
    var origin: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }

    let tls: Bool

    /// Starts the mock knowing `tokens`; with `tls`, over HTTPS with a fresh self-signed certificate.
    init(_ s: Scratch, tokens: [String: Any], tls: Bool = false) throws {
        self.tls = tls
        let file = s.root + "/mock-tokens.json"
        try JSONSerialization.data(withJSONObject: tokens).write(to: URL(fileURLWithPath: file))
        SuiteSweep.input(file)
        for (key, value) in tokens {
            if let token = value as? String { SuiteSweep.canary("token", token) }
            if key == "__login", let password = (value as? [String: String])?["password"] { SuiteSweep.canary("password", password) }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", DaemonHarness.pythonDir + "/mock_vobiz.py", file, s.canary + "new"]
        if tls {
            let cert = s.root + "/mock-cert.pem", key = s.root + "/mock-key.pem"
            _ = try Process.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                 "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert])
            p.arguments! += [cert, key]
        }
        let out = Pipe()
        p.standardOutput = out
        // Under VOBIZ_VAULT_TEST_KEEP (inherited) the mock lists the JWTs and tokens it issues.
        FileManager.default.createFile(atPath: s.root + "/mock.log", contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: s.root + "/mock.log"))
        try p.run()
        process = p
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(port > 0, "the mock did not start")
    }

    /// The tokens of the standard scratch vault.
    static func standardTokens(_ s: Scratch) -> [String: String] {
        ["PA_MAIN": s.token("partner"), "MA_ACME": s.token("acme"), "MA_BETA": s.token("beta")]
    }

    deinit { stop() }

    func stop() {
        // SIGKILL: the test runner's threads block SIGTERM, and children inherit that mask.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Every request the mock saw, oldest first (no tokens: only whether the pair matched).
    func requests() throws -> [[String: Any]] {
        let out = try Process.run("/usr/bin/env", ["curl", "-s", "-k", "--max-time", "5", origin + "/__mock/requests"])
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
    }

    /// Changes how the mock answers: `delay` seconds before answering, or a fixed `status`.
    /// `createID` makes the next created customers reuse one auth id; `jwtLifetime` is the
    /// `expires_in` of new JWTs, `jwtExpOffset` moves their `exp` claim, `loginDelay` slows logins;
    /// `createShape` gives create-account answers another shape (see `create_answer` in the mock).
    func mode(delay: Double = 0, status: Int? = nil, createID: String? = nil, jwtLifetime: Int = 10, jwtExpOffset: Int = 0,
              loginDelay: Double = 0, createShape: String? = nil) throws {
        var m: [String: Any] = ["delay": delay, "jwt_lifetime": jwtLifetime, "jwt_exp_offset": jwtExpOffset, "login_delay": loginDelay]
        m["create_shape"] = createShape ?? NSNull()
        m["status"] = status ?? NSNull()
        m["create_id"] = createID ?? NSNull()
        let body = String(decoding: try JSONSerialization.data(withJSONObject: m), as: UTF8.self)
        let out = try Process.run("/usr/bin/env", ["curl", "-s", "--max-time", "20", "-X", "POST", "-d", body, origin + "/__mock/mode"])
        // The mock answers with its mode: a change it did not take must not pass for one it did.
        let now = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
        try #require(now["delay"] as? Double == delay && now["login_delay"] as? Double == loginDelay, "the mock did not take the mode: \(out)")
    }

    /// How many JWT logins the mock has answered.
    func logins() throws -> Int {
        let out = try Process.run("/usr/bin/env", ["curl", "-s", "-k", "--max-time", "5", origin + "/__mock/logins"])
        return (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["count"] as? Int ?? -1
    }

    /// Simulates a token reissued in the Vobiz console: the vault's copy is now wrong.
    func reissue(_ authID: String, suffix: String) throws {
        let body = "{\"auth_id\":\"\(authID)\",\"suffix\":\"\(suffix)\"}"
        _ = try Process.run("/usr/bin/env", ["curl", "-s", "--max-time", "5", "-X", "POST", "-d", body, origin + "/__mock/token"])
    }

    /// The `[upstream]` section pointing a vault at this mock; `extra` is more keys for it.
    func upstreamConfig(_ extra: String = "", timeout: String = "10s") -> String {
        """
        [upstream]
        base_url = "\(origin)"
        \(tls ? "" : "allow_insecure_upstream = true")
        timeout = "\(timeout)"
        \(extra)
        """
    }
}

/// A TCP port nobody listens on right now (`LoopbackPort.free`); 0 if none could be had.
func freePort() -> Int { (try? LoopbackPort.free()) ?? 0 }
