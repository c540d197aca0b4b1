import Foundation
import Testing
@testable import VaultCore

@Suite struct CallbackQueryNameTests {
    /// Query names are told apart by their bytes, as Python's dict does: `é` (U+00E9) and
    /// `e` + U+0301 are two names with two values, never one whose value hides the other
    /// (else a URL carrying both would verify with the signature of a URL carrying one).
    @Test func canonicallyEquivalentQueryNamesStayApart() {
        let both = CallbackSignature.v3Message(method: "GET", url: "https://app.example/cb?%C3%A9=EVIL&e%CC%81=V", params: [:], nonce: "n")
        let one = CallbackSignature.v3Message(method: "GET", url: "https://app.example/cb?%C3%A9=V", params: [:], nonce: "n")
        #expect(both != one)
        // Sorted by code point: U+0065 U+0301 before U+00E9.
        #expect(String(decoding: both, as: UTF8.self) == "https://app.example/cb?e\u{301}=V&\u{e9}=EVIL.n")
        // The same for a name in the query and one in the parameters of a GET.
        let mixed = CallbackSignature.v3Message(method: "GET", url: "https://app.example/cb?e%CC%81=V", params: ["\u{e9}": .string("EVIL")], nonce: "n")
        #expect(String(decoding: mixed, as: UTF8.self) == "https://app.example/cb?e\u{301}=V&\u{e9}=EVIL.n")
    }

    @Test func queryValuesOverrideParametersOfTheSameName() {
        let m = CallbackSignature.v3Message(method: "GET", url: "https://app.example/cb?a=2&b=3&a=1", params: ["a": .string("9"), "c": .list([])], nonce: "x")
        #expect(String(decoding: m, as: UTF8.self) == "https://app.example/cb?a=1&a=2&b=3&.x")
    }
}
