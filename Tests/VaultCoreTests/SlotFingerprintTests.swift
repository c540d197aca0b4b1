import Testing
@testable import VaultCore

@Suite struct SlotFingerprintTests {
    /// SHA-256 of "vobiz-vault key slot v1" and RFC 7748's Alice public key (see SealedBoxTests).
    let digest = Hex.decode("1e92b4e315be72c9ecbeba9a506fb80e6c740c07d98efcfea5384cefe29f5619")!
    let shown = "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E"

    @Test func rendersEightGroupsOfFourUpperCaseDigits() {
        #expect(SlotFingerprint.render(digest) == shown)
        #expect(SlotFingerprint.render(digest.prefix(16)) == shown)
        #expect(SlotFingerprint.render([UInt8](repeating: 0xab, count: 16)) == "ABAB-ABAB-ABAB-ABAB-ABAB-ABAB-ABAB-ABAB")
    }

    @Test(arguments: [
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E",
        "1e92-b4e3-15be-72c9-ecbe-ba9a-506f-b80e",
        "1E92B4E315BE72C9ECBEBA9A506FB80E",
        "1e92b4e315be72c9ecbeba9a506fb80e",
        "1E92 B4E3 15BE 72C9 ECBE BA9A 506F B80E",
        " 1e92-B4E3 15be72c9-ECBE\tba9a--506f-b80e ",
    ])
    func acceptsWhatAnOperatorMightType(typed: String) throws {
        #expect(try SlotFingerprint.parse(typed) == Array(digest.prefix(16)))
        #expect(try SlotFingerprint.matches(typed, digest: digest))
    }

    @Test(arguments: [
        "",
        "----",
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80",
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E0",
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E-5619",
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80G",
        "0x1E92B4E315BE72C9ECBEBA9A506FB80E",
        "1E92:B4E3:15BE:72C9:ECBE:BA9A:506F:B80E",
        "1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E\n",
        "１E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E",
    ])
    func refusesMalformedInput(typed: String) {
        #expect(throws: CoreError.self) { try SlotFingerprint.parse(typed) }
        #expect(throws: CoreError.self) { try SlotFingerprint.matches(typed, digest: digest) }
    }

    @Test func anotherKeysFingerprintDoesNotMatch() throws {
        #expect(try !SlotFingerprint.matches("1E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80F", digest: digest))
        #expect(try !SlotFingerprint.matches("0E92-B4E3-15BE-72C9-ECBE-BA9A-506F-B80E", digest: digest))
        #expect(try !SlotFingerprint.matches(shown, digest: digest.prefix(15)))
    }

    @Test func renderedFingerprintsReadBack() throws {
        for seed in 0..<32 {
            let d = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ seed &* 101) }
            let text = SlotFingerprint.render(d)
            #expect(text.count == 39)
            #expect(try SlotFingerprint.matches(text, digest: d))
            #expect(try SlotFingerprint.matches(text.lowercased(), digest: d))
        }
    }

    @Test func errorSaysWhatToType() {
        do {
            _ = try SlotFingerprint.parse("1E92-B4E3")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("8 hex digits, expected 32"))
        }
    }
}
