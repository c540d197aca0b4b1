import Testing
@testable import VaultCore
@testable import VaultService

/// `[remind]` (Docs/configuration.md): the notifier of the timer's `remind`.
@Suite struct RemindConfigTests {
    @Test func execIsTheNotifierAndIsOptional() throws {
        #expect(try ConfigLoader.parse("").remind.exec == nil)
        let c = try ConfigLoader.parse("[remind]\nexec = \"curl -sS -K /etc/vobiz-vault/webhook.curl --data-binary @-\"\n")
        #expect(c.remind.exec == "curl -sS -K /etc/vobiz-vault/webhook.curl --data-binary @-")
    }

    @Test func anEmptyCommandAWrongTypeOrAnUnknownKeyIsRefused() {
        for bad in ["[remind]\nexec = \"  \"\n", "[remind]\nexec = 3\n", "[remind]\nwebhook = \"https://x\"\n", "remind = \"x\"\n"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.parse(bad) }
        }
    }
}
