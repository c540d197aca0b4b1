import Testing
@testable import VaultCore
@testable import VaultService

/// `[log]` (Docs/configuration.md): what is accepted and what is refused.
@Suite struct LogConfigTests {
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
