import Foundation
import Testing
@testable import VaultCore

/// Audit details read by the project's parser give the same values the decoder gives.
@Suite struct JSONAnyTests {
    @Test func theParserAndTheDecoderAgree() throws {
        let samples = [
            #"{"grant":"app","method":"GET","path":"/api/v1/Account/MA_X/Call/","status":401}"#,
            #"{"fingerprint":"ae3580c55cf70fa5","kind":"customer"}"#,
            #"{"a":[1,-2,3.5,true,false,null,"x\"y\\z\/"],"b":{"c":{"d":[]}},"e":"ünï ✓ \u0001"}"#,
            #"[]"#, #"{}"#, #""plain""#, #"12"#, #"-0"#, #"1e3"#, #"5.0"#, #"1.5"#, #"-2.5e-3"#, #"9223372036854775807"#,
        ]
        for s in samples {
            let decoded = try JSONDecoder().decode(JSONAny.self, from: Data(s.utf8))
            #expect(JSONAny(parsing: s) == decoded, "\(s)")
        }
        for bad in ["", "{", #"{"a":}"#, "nul", #"{"a":1,"a":2}"#] { #expect(JSONAny(parsing: bad) == nil, "\(bad)") }
    }
}
