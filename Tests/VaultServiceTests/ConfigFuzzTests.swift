import Foundation
import Testing
@testable import VaultCore
@testable import VaultService

/// A mutation fuzzer for the configuration and policy parser (TOMLKit's C++ parser underneath
/// cannot be built with the libFuzzer harness of scripts/fuzz.sh): seed files are mutated by
/// flipping, deleting, duplicating and splicing bytes and TOML fragments; every input must either
/// be refused with a `ConfigError` or give a configuration that keeps the parser's promises.
@Suite struct ConfigFuzzTests {
    static let seeds = [
        """
        [vault]
        state_dir = "/var/lib/vobiz-vault"
        [upstream]
        base_url = "https://api.vobiz.ai"
        [sockets]
        client = "/run/vobiz-vault/vault.sock"
        client_mode = "0660"
        proxy_tcp = "127.0.0.1:8787"
        [limits]
        max_body = 65536
        read_timeout = "10s"
        [rotation]
        max_age = "90d"
        [sealed]
        lifetime = "60s"
        [[grant]]
        name = "billing"
        uid = 0
        credentials = ["MA_*", "partner"]
        operations = ["headers", "proxy"]
        methods = ["GET", "POST"]
        paths = ["/api/v1/Account/*/Call/**"]
        rate = 5
        """,
        """
        [[grant]]
        name = "a"
        user = "root"
        exe = "/usr/bin/python3"
        credentials = ["MA_X1"]
        operations = ["jwt", "verify_callback"]
        reveal = true
        """,
    ]
    static let fragments = ["[", "]", "[[grant]]", "\"", "=", "\n", "uid = 65534", "proxy_tcp = \"0.0.0.0:1\"", "client_mode = \"0777\"",
                            "paths = [\"/**/../\"]", "credentials = []", "rate = -1", "lifetime = \"999s\"", "\u{0}", "é", "#",
                            "max_body = 99999999999", "operations = [\"reveal\"]", "base_url = \"http://x\"", "methods = [\"get\"]"]

    /// Inputs that aborted the whole process inside toml++ before the precheck existed.
    @Test func inputsThatOnceAbortedAreRefusedWithALineNumber() {
        for text in ["[\u{E9}]\n", "[[[grant]]\nname = \"a\"\n", "[vault]\n[\rsealed]\n", "a\u{FFFD}b = 1\n", "x = [1, 2\n"] {
            do {
                _ = try ConfigLoader.parse(text, path: "c.toml")
                Issue.record("accepted: \(text.debugDescription)")
            } catch {
                if case .syntax(_, let line, _, _) = error { #expect(line >= 1) } else { Issue.record("\(error)") }
            }
        }
        // What the configuration really uses still parses.
        let ok = try? ConfigLoader.parse("# c\r\n[vault] # t\nstate_dir = 'x' # c\n[sockets]\nclient_mode = \"0660\"\n" +
                                         "[[grant]]\nname = \"a\"\nuid = 0\ncredentials = [\n  \"MA_*\", # many\n  \"partner\",\n]\n" +
                                         "operations = [\"headers\"]\npaths = [\"\"\"/a/**\"\"\"]\n", path: "c.toml")
        #expect(ok?.grants.first?.name == "a" && ok?.vault.stateDir == "x")
    }

    @Test func mutatedConfigurationsAreRefusedOrKeepTheirPromises() throws {
        var rng = SystemRandomNumberGenerator()
        var accepted = 0, refused = 0
        let deadline = Date().addingTimeInterval(8)
        var runs = 0
        while Date() < deadline && runs < 200_000 {
            runs += 1
            var b = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0...b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where !b.isEmpty: b[min(at, b.count - 1)] ^= UInt8.random(in: 1...255, using: &rng)
                case 1 where !b.isEmpty: b.removeSubrange(min(at, b.count - 1)..<min(b.count, at + Int.random(in: 1...12, using: &rng)))
                case 2: b.insert(contentsOf: Array(Self.fragments.randomElement(using: &rng)!.utf8), at: at)
                default:
                    let from = Int.random(in: 0..<max(1, b.count), using: &rng)
                    b.insert(contentsOf: b[from..<min(b.count, from + Int.random(in: 1...40, using: &rng))], at: min(at, b.count))
                }
            }
            let text = String(decoding: b, as: UTF8.self)
            let config: VaultConfig
            do {
                config = try ConfigLoader.parse(text, path: "fuzz.toml")
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
                continue
            }
            accepted += 1
            // What an accepted configuration promises.
            if let tcp = config.sockets.proxyTCP { #expect((try? LoopbackEndpoint(parsing: tcp)) != nil, "\(tcp)") }
            #expect(config.sockets.clientMode & 0o007 == 0)
            #expect(config.upstream.baseURL.hasPrefix("https://") || config.upstream.allowInsecureUpstream)
            #expect(config.sealed.lifetime.seconds > 0 && config.sealed.lifetime.seconds <= SealedSignature.maxLifetime)
            #expect(config.limits.readTimeout.seconds > 0 && config.limits.maxBody >= 1024)
            #expect(Set(config.grants.map(\.name)).count == config.grants.count)
            for g in config.grants {
                #expect(g.uids != nil || g.gids != nil || g.exes != nil || g.units != nil, "grant \(g.name) matches every caller")
                #expect(!g.operations.isEmpty && !g.credentials.isEmpty, "grant \(g.name)")
                if let r = g.rate { #expect(r > 0) }
            }
        }
        print("config fuzz: \(runs) inputs, \(accepted) accepted, \(refused) refused")
        #expect(runs > 1000 && accepted > 0 && refused > 0)
    }
}
