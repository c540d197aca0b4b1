import Testing
@testable import VaultCore

@Suite struct AuthIDAndTimeTests {
    @Test(arguments: ["PA_ABC123", "MA_X", "MA_abc-DEF_123", "MA_" + String(repeating: "A", count: 64)])
    func acceptsValidIDs(_ raw: String) throws {
        let id = try AuthID(raw)
        #expect(id.rawValue == raw)
        #expect(id.kind == (raw.hasPrefix("PA_") ? .partner : .customer))
    }

    @Test(arguments: ["", "MA_", "XA_ABC", "ma_abc", "MA_ABC DEF", "MA_ABC/..", "MA_ÄBC", "MA_" + String(repeating: "A", count: 65), "MA_A\u{0}"])
    func refusesInvalidIDs(_ raw: String) {
        #expect(throws: CoreError.self) { try AuthID(raw) }
    }

    @Test func errorMessageOfLongInputDoesNotEchoIt() {
        let pasted = "MA_ABC,supersecrettokenvalue1234567890"
        do {
            _ = try AuthID(pasted)
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("supersecret"))
        }
    }

    @Test(arguments: [("90d", 7_776_000), ("14d", 1_209_600), ("12h", 43_200), ("30m", 1_800), ("45s", 45), ("2w", 1_209_600), ("0", 0), ("0d", 0)] as [(String, Int64)])
    func parsesTimeSpans(_ text: String, _ seconds: Int64) throws {
        #expect(try TimeSpan(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "d", "10", "-1d", "1.5d", "10y", "١٠d", "99999999999d", " d"])
    func refusesBadTimeSpans(_ text: String) {
        #expect(throws: CoreError.self) { try TimeSpan(parsing: text) }
    }

    @Test func rendersTimeSpansExactly() {
        #expect(TimeSpan.days(90).description == "90d")
        #expect(TimeSpan(seconds: 3_600).description == "1h")
        #expect(TimeSpan(seconds: 90).description == "90s")
        #expect(TimeSpan(seconds: 0).description == "0")
        #expect(TimeSpan(seconds: 1_209_600).description == "14d")
    }

    @Test func formatsTimestampsInUTC() {
        #expect(Timestamp.iso(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.iso(1_795_926_825) == "2026-11-29T04:33:45Z")
        #expect(Timestamp.date(951_782_400) == "2000-02-29")
        #expect(Timestamp.iso(-1) == "1969-12-31T23:59:59Z")
    }

    @Test func bindingsNameTheRow() throws {
        let id = try AuthID("MA_ABC")
        #expect(String(decoding: SecretBinding.token(id, version: 3).associatedData, as: UTF8.self) == "token_versions|MA_ABC|3|token")
        #expect(SecretBinding.token(id, version: 3).associatedData != SecretBinding.token(id, version: 4).associatedData)
    }

    @Test func base64RoundTripsAndIsStrict() {
        // RFC 4648 §10 vectors.
        for (plain, enc) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            #expect(Base64.encode(Array(plain.utf8)) == enc)
            #expect(Base64.decode(enc) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xfb, 0xff], urlSafe: true) == "-_8")
        #expect(Base64.decode("-_8", urlSafe: true) == [0xfb, 0xff])
        for bad in ["Zg=", "Zh==", "Z===", "Zm9v\n", "Zm 9v", "-_8="] { #expect(Base64.decode(bad) == nil) }
    }

    @Test func hexRoundTrips() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00abff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("abc") == nil)
        #expect(Fingerprint.render([UInt8](repeating: 0xab, count: 32)) == "abababababababab")
    }
}
