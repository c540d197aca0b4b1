import Testing
@testable import VaultCore

/// A stored token is withheld from every part of the answer the caller gets.
@Suite struct CaptureWithholdingRulesTests {
    let token = "CANARYtok-1"
    let fp = "0123456789abcdef"

    func withheld(_ body: String, _ headers: [(name: String, value: String)] = []) throws -> CaptureRewrite.Withheld {
        CaptureRewrite.withholding(SecretScratch(Array(token.utf8)), authID: try AuthID("MA_NEW1"), fingerprint: fp,
                                   body: Array(body.utf8), headers: headers)
    }

    func text(_ w: CaptureRewrite.Withheld) -> String { String(decoding: w.body, as: UTF8.self) }

    @Test func theUsualAnswerIsRewrittenInPlace() throws {
        let w = try withheld(#"{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1","name":"Acme"}"#)
        #expect(text(w) == #"{"auth_id":"MA_NEW1","auth_token":"vaulted:0123456789abcdef","name":"Acme"}"# && !w.bodyReplaced)
    }

    @Test func literalCopiesElsewhereAreReplacedToo() throws {
        let w = try withheld(#"{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1","account":{"auth_token":"CANARYtok-1"},"m":"is CANARYtok-1"}"#)
        #expect(!text(w).contains("CANARY") && !w.bodyReplaced && text(w).contains(#""m":"is vaulted:0123456789abcdef""#), "\(text(w))")
    }

    @Test func copiesThatCannotBeRewrittenMakeTheVaultWriteTheBody() throws {
        for body in [#"{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1","copy":"\u0043ANARYtok-1"}"#,
                     #"[{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1"}]"#,
                     #"{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1","\u0043ANARYtok-1":1}"#] {
            let w = try withheld(body)
            #expect(w.bodyReplaced && text(w) == #"{"auth_id":"MA_NEW1","auth_token":"vaulted:0123456789abcdef"}"#, "\(body)")
        }
    }

    @Test func headersCarryingTheTokenAreDropped() throws {
        let w = try withheld(#"{"auth_id":"MA_NEW1","auth_token":"CANARYtok-1"}"#, [
            ("Content-Type", "application/json"), ("X-Debug", "token=CANARYtok-1"), ("Location", "/a?t=other"),
            ("CANARYtok-1", "as a name"),
        ])
        #expect(w.headers.map(\.name) == ["Content-Type", "Location"] && w.droppedHeaders == ["X-Debug", "CANARYtok-1"])
        // A token with bytes a URL escapes is also found percent-encoded.
        let odd = CaptureRewrite.withholding(SecretScratch(Array("tok/en+1".utf8)), authID: try AuthID("MA_NEW1"), fingerprint: fp,
                                             body: Array(#"{"auth_id":"MA_NEW1","auth_token":"tok/en+1"}"#.utf8),
                                             headers: [("Location", "/x?t=tok%2Fen%2B1"), ("X-Ok", "1")])
        #expect(odd.headers.map(\.name) == ["X-Ok"])
    }
}
