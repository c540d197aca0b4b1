import Foundation
import Testing
@testable import VaultCore
@testable import VaultService

/// `[store]` and `[fleet]` (Docs/configuration.md): what is accepted and what is refused.
@Suite struct StoreConfigTests {
    static func parse(_ url: String, tls: String? = nil, extra: String = "") throws -> VaultConfig {
        try ConfigLoader.parse("""
            [store]
            backend = "postgres"
            url = "\(url)"
            \(tls.map { "tls = \"\($0)\"" } ?? "")
            \(extra)
            """)
    }

    @Test func plainTextOnlyToThisHost() throws {
        for local in ["postgresql://vault@127.0.0.1:5432/v", "postgresql://vault@localhost/v", "postgresql://vault@[::1]:5433/v",
                      "postgresql:///v?host=/run/postgresql&user=vault"] {
            #expect(throws: Never.self) { try Self.parse(local) }
        }
        for remote in ["postgresql://vault@127.evil.example/v", "postgresql://vault@db.example.com/v", "postgresql://vault@10.0.0.5/v",
                       "postgresql://vault@127.0.0.1.example/v"] {
            #expect(throws: ConfigError.self, "\(remote)") { try Self.parse(remote) }
            #expect(throws: Never.self) { try Self.parse(remote, tls: "verify-full") }
        }
    }

    @Test func aPasswordInTheURLIsRefusedWithoutEchoingIt() {
        let secret = "CANARY" + UUID().uuidString
        do {
            _ = try Self.parse("postgresql://vault:\(secret)@db.example.com/v", tls: "verify-full")
            Issue.record("a password in the URL was accepted")
        } catch {
            #expect(!"\(error)".contains(secret))
            #expect("\(error)".contains("password_file"))
        }
    }

    @Test func hostNamesAndKeysAreChecked() throws {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("[fleet]\nhost = \"a b\"") }
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("[store]\nbackend = \"postgres\"") }
        #expect(throws: ConfigError.self) { try Self.parse("postgresql:///v?host=/run&user=u&sslmode=require") }
        #expect(throws: ConfigError.self) { try Self.parse("postgresql:///v?host=/run&user=u", extra: "pool_size = 0") }
        let c = try ConfigLoader.parse("[store]\nbackend = \"postgres\"\nurl = \"postgresql://vault@127.0.0.1:6543/fleet\"\npool_size = 8\n[fleet]\nhost = \"app-1\"")
        #expect(c.store.url == PostgresURL(endpoint: .tcp(host: "127.0.0.1", port: 6543), user: "vault", database: "fleet"))
        #expect(c.store.poolSize == 8 && c.fleet.host == "app-1")
    }
}
