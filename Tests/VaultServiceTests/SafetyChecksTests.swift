import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

@Suite struct SafetyChecksTests {
    @Test func daemonLockKeepsOfflineCommandsOut() async throws {
        let f = try Fixture()
        _ = try f.initialize()
        let dir = StateDirectory(f.config.vault.stateDir)
        let held = try dir.lock(exclusive: true)
        #expect(throws: ServiceError.daemonRunning(lockPath: dir.lockPath)) { try f.open() }
        _ = held
    }

    @Test func stateDirectoryMustBeOursAndPrivate() throws {
        let f = try Fixture()
        _ = try f.initialize()
        let dir = f.config.vault.stateDir
        chmod(dir, 0o777)
        #expect(throws: ServiceError.self) { try f.open() }
        chmod(dir, 0o700)
        let link = f.root + "/link"
        symlink(dir, link)
        var c = f.config
        c.vault.stateDir = link
        #expect(throws: ServiceError.self) { try VaultService.open(config: c, unlock: nil) }
        #expect(throws: ServiceError.self) { try VaultService.initialize(config: f.config, master: .key(f.key), actor: f.actor) }
    }

    /// A tracer would be handed every upstream URL (customer ids included); even the no-op
    /// default costs a span per proxied request.
    @Test func theUpstreamClientMakesNoTracingSpans() async throws {
        let client = try UpstreamClient(config: VaultConfig.Upstream())
        #expect(!client.tracesRequests)
        await client.shutdown()
    }

    @Test func keyFilesAreCheckedAndReadInEveryFormat() throws {
        let f = try Fixture()
        let path = f.root + "/master.key"
        let key = try KeyFile.generate(path)
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o777 == 0o400)
        #expect(try KeyFile.read(path).constantTimeEquals(key))
        #expect(throws: ServiceError.self) { try KeyFile.generate(path) }

        let raw = [UInt8](repeating: 7, count: 32)
        for (name, content) in [("raw", Data(raw)), ("hex", Data((String(repeating: "07", count: 32) + "\n").utf8)),
                                ("b64", Data((Base64.encode(raw) + "\n").utf8))] {
            let p = f.root + "/" + name
            FileManager.default.createFile(atPath: p, contents: content, attributes: [.posixPermissions: 0o600])
            #expect(try KeyFile.read(p).withUnsafeBytes { Array($0) } == raw, "\(name)")
        }
        // A generated file is plain padded base64 that any decoder reads the same way.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(Data(base64Encoded: text.trimmingCharacters(in: .newlines)).map(Array.init) == key.withUnsafeBytes { Array($0) })
        // Text of the right length that is not canonical base64 or hex is refused, not misread.
        let b64 = Base64.encode(raw)
        for (name, bad) in [("b64-char", "!" + b64.dropFirst()), ("b64-bits", String(b64.dropLast(2)) + "9="),
                            ("b64-unpadded", String(b64.dropLast()) + "A"), ("hex-char", "zz" + String(repeating: "07", count: 31))] {
            let p = f.root + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data((bad + "\n").utf8), attributes: [.posixPermissions: 0o600])
            #expect(throws: ServiceError.self, "\(name)") { try KeyFile.read(p) }
        }
        let loose = f.root + "/loose"
        FileManager.default.createFile(atPath: loose, contents: Data(raw), attributes: [.posixPermissions: 0o644])
        #expect(throws: ServiceError.self) { try KeyFile.read(loose) }
        let short = f.root + "/short"
        FileManager.default.createFile(atPath: short, contents: Data(raw.prefix(31)), attributes: [.posixPermissions: 0o600])
        #expect(throws: ServiceError.self) { try KeyFile.read(short) }
        let link = f.root + "/link.key"
        symlink(f.root + "/raw", link)
        #expect(throws: ServiceError.self) { try KeyFile.read(link) }
    }

    @Test func configIsStrict() throws {
        let c = try ConfigLoader.parse("""
            [vault]
            state_dir = "/srv/vault"
            [rotation]
            max_age = "30d"
            warn = "7d"
            grace = "2d"
            [audit]
            durability = "sync"
            [[grant]]
            name = "billing"
            uid = [1000, 1001]
            user = "root"
            group = "root"
            credentials = ["MA_*"]
            operations = ["headers", "proxy"]
            methods = ["get"]
            paths = ["/api/v1/Account/*/Call/**"]
            rate = 20
            [[grant]]
            uid = 1000
            exe = "/usr/bin/python3"
            credentials = "partner"
            operations = "headers"
            reveal = true
            """)
        #expect(c.grants.count == 2)
        #expect(c.grants[0].uids == [0, 1000, 1001] && c.grants[0].gids == [0] && c.grants[0].methods == ["GET"] && c.grants[0].rate == 20)
        #expect(c.grants[0].pathsExplicit && !c.grants[1].pathsExplicit && c.grants[1].name == "grant-2" && c.grants[1].reveal)
        #expect(c.vault.stateDir == "/srv/vault")
        #expect(c.rotation.maxAge == .days(30) && c.rotation.grace == .days(2))
        #expect(c.audit.durability == .sync)
        #expect(try ConfigLoader.parse("") == VaultConfig())
        for bad in ["[vault]\nstate_dri = \"x\"", "[rotation]\nmax_age = 90", "[rotation]\nmax_age = \"90 days\"", "[nope]",
                    "[upstream]\nbase_url = \"http://api.vobiz.ai\"", "[sockets]\nclient_mode = \"0666\"", "[vault", "[audit]\ndurability = \"often\"",
                    "[[grant]]\nuid = 1\noperations = [\"headers\"]", "[[grant]]\nuid = 1\ncredentials = [\"MA_*\"]\noperations = [\"steal\"]",
                    "[[grant]]\nuser = \"no-such-user-here\"\ncredentials = [\"MA_*\"]\noperations = [\"headers\"]",
                    "[[grant]]\ncredentials = [\"MA_*\"]\noperations = [\"headers\"]", "[[grant]]\nuid = 1\ncredentials = [\"PA_X\"]\noperations = [\"headers\"]",
                    "[[grant]]\nuid = 1\ncredentials = [\"MA_*\"]\noperations = [\"headers\"]\nsurprise = 1",
                    "[limits]\nread_timeout = \"0\"", "[limits]\nmax_body = 1",
                    "[upstream]\nmax_connections = 0", "[upstream]\nmax_connections = \"64\""] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.parse(bad) }
        }
        #expect(try ConfigLoader.parse("[upstream]\nbase_url = \"http://127.0.0.1:9\"\nallow_insecure_upstream = true").upstream.allowInsecureUpstream)
        #expect(VaultConfig().upstream.maxConnections == 64)
        #expect(try ConfigLoader.parse("[upstream]\nmax_connections = 200").upstream.maxConnections == 200)
    }
}
