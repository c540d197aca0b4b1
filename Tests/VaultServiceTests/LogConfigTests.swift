import Testing
@testable import VaultCore
@testable import VaultService

/// `[log]` and `[metrics]` (Docs/configuration.md): what is accepted and what is refused.
@Suite struct LogConfigTests {
    @Test func metricsListenOnLoopbackOnly() throws {
        #expect(try ConfigLoader.parse("[metrics]\nlisten = \"127.0.0.1:9464\"\n").metrics.listen == "127.0.0.1:9464")
        #expect(try ConfigLoader.parse("").metrics.listen == nil)
        for bad in ["0.0.0.0:9464", "10.1.2.3:9464", "localhost", "[::]:9464", "127.0.0.1"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.parse("[metrics]\nlisten = \"\(bad)\"\n") }
        }
    }

    @Test func levelAndFormat() throws {
        #expect(try ConfigLoader.parse("").log == VaultConfig.Log())
        let c = try ConfigLoader.parse("[log]\nlevel = \"warning\"\nformat = \"json\"\n")
        #expect(c.log.level == "warning" && c.log.json)
        #expect(try !ConfigLoader.parse("[log]\nformat = \"text\"\n").log.json)
    }

    @Test func aBadLevelOrFormatOrKeyIsRefused() {
        for bad in ["[log]\nlevel = \"loud\"\n", "[log]\nformat = \"xml\"\n", "[log]\ncolour = true\n", "[log]\nlevel = 3\n"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.parse(bad) }
        }
    }
}
