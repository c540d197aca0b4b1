import Foundation
import Testing

/// `vault-bench`, the tool behind the figures in Docs/benchmarks.md, against a real daemon: its
/// proxy mode beside direct calls to its own minimal upstream, as `scripts/bench.sh` runs it.
@Suite(.serialized) struct BenchToolTests {
    static var benchPath: String {
        URL(fileURLWithPath: Binary.path).deletingLastPathComponent().appendingPathComponent("vault-bench").path
    }

    static func phases(_ text: String) -> [String: [String: Any]] {
        let doc = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        let list = doc["phases"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["name"] as? String ?? "?", $0) }) { a, _ in a }
    }

    @Test func measuresTheProxyBesideDirectCallsToTheSameUpstream() throws {
        let port = freePort()
        let mock = try Binary.start(["--mock", String(port)], executable: Self.benchPath)
        // SIGKILL: children of the test process inherit its blocked signals, SIGTERM among them.
        defer { kill(mock.process.processIdentifier, SIGKILL); mock.process.waitUntilExit() }
        let ready = String(decoding: mock.out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(ready.contains("mock upstream on 127.0.0.1:\(port)"), "the mock did not come up: \(ready)")
        let d = try DaemonHarness(grants: """
            [[grant]]
            name = "bench"
            uid = 0
            credentials = ["MA_*"]
            operations = ["proxy"]
            """, extra: """
            [upstream]
            base_url = "http://127.0.0.1:\(port)"
            allow_insecure_upstream = true
            """)
        try d.start()
        let args = ["--socket", d.client, "--connections", "2", "--duration", "0.3", "--no-floor", "--json",
                    "--direct", "127.0.0.1:\(port)", "--proxy", "/api/v1/Account/MA_ACME/Call/"]
        for extra in [[], ["--rate", "400"]] {
            let r = try Binary.run(args + extra, timeout: 30, executable: Self.benchPath)
            #expect(r.code == 0, "\(r.err)")
            let phases = Self.phases(r.out)
            for name in ["direct", "proxy"] {
                let p = phases[name] ?? [:]
                #expect((p["requests"] as? Int ?? 0) > 20 && p["errors"] as? Int == 0, "\(name) \(extra): \(r.out)")
                #expect((p["p50_us"] as? Double ?? 0) > 0, "\(r.out)")
            }
            if !extra.isEmpty { #expect((phases["proxy"]?["throughput"] as? Double ?? 0) < 600, "--rate must hold the offered load: \(r.out)") }
        }
        // An upstream 50 ms away, 16 callers: the delay reaches the mock through the proxy too,
        // and the proxy keeps up with calling it directly. Held to 8 upstream connections it
        // could carry at most 8 / 50 ms = 160 calls a second, half of what 16 callers can make
        // (320), whatever else the machine does; so a round counts only if the proxy carried
        // more than 176 a second as well as 0.7 of the direct calls. The best of up to three
        // rounds is held to that: a round that shared the machine with other suites says
        // nothing of the proxy.
        var rounds: [String] = [], passed = false
        while rounds.count < 3 && !passed {
            let r = try Binary.run(["--socket", d.client, "--connections", "16", "--duration", "1", "--no-floor", "--json", "--upstream-delay", "50",
                                    "--direct", "127.0.0.1:\(port)", "--proxy", "/api/v1/Account/MA_ACME/Call/"], timeout: 30, executable: Self.benchPath)
            rounds.append(r.out)
            let delayed = Self.phases(r.out)
            let direct = delayed["direct"] ?? [:], proxy = delayed["proxy"] ?? [:]
            #expect(r.code == 0 && direct["errors"] as? Int == 0 && proxy["errors"] as? Int == 0, "\(r.out) \(r.err)")
            #expect((direct["p50_us"] as? Double ?? 0) >= 50_000 && (proxy["p50_us"] as? Double ?? 0) >= 50_000, "\(r.out)")
            let carried = proxy["throughput"] as? Double ?? 0
            passed = carried > 176 && carried / max(direct["throughput"] as? Double ?? 1, 1) > 0.7
        }
        #expect(passed, "in no round did the proxy carry more than 176 calls a second and 0.7 of the direct ones: \(rounds)")
        let proxied = try d.auditJSON().filter { $0["op"] as? String == "proxy" }
        #expect(proxied.count > 40, "every proxied bench request is audited")
        #expect(!d.log().contains(d.s.token("acme")))
    }

    @Test func aBadCommandLineIsRefusedWithUsage() throws {
        for args in [["--bogus"], ["--rate", "0"], ["--connections", "x"], ["--direct", "nohost"], ["--direct", ":80"],
                     ["--direct", "h:70000"], ["--proxy", "/p", "--upstream-delay", "inf"], ["--upstream-delay", "5"]] {
            let r = try Binary.run(args, timeout: 10, executable: Self.benchPath)
            #expect(r.code == 2 && r.err.contains("usage: vault-bench"), "\(args): \(r.code) \(r.err)")
        }
    }
}
