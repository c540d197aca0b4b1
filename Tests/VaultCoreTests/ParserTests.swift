import Testing
@testable import VaultCore

@Suite struct ParserTests {
    @Test func parsesNestedJSON() throws {
        let v = try parseJSON(#" { "a": [1, -2.5e3, true, false, null, "x\"\\\/\n\u00e9\ud83d\ude00"], "b": {} } "#)
        guard case .array(let items)? = v["a"], case .string(let s) = items[5] else { Issue.record("shape"); return }
        #expect(items.count == 6)
        #expect(s.plainText == "x\"\\/\né😀")
        #expect(v["b"]?.typeName == "object")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "[01]", "[1.]", "[.5]", "[+1]", "tru", "nul",
        "\"a\u{01}\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "[1] [2]", "{\"a\":1,\"a\":2}", "[\"unterminated]",
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ])
    func refusesMalformedJSON(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try parseJSON(text) }
    }

    @Test func csvHandlesQuotesAndLineEnds() throws {
        let rows = try Array("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\n\"multi\nline\",2\n".utf8).withUnsafeBytes { try CSVParser.parse($0) }
        #expect(rows.map { $0.fields.map(\.plainText) } == [["a", "b", "c"], ["x,1", "say \"hi\"", ""], ["multi\nline", "2"]])
        #expect(rows.map(\.line) == [1, 2, 4])
        #expect(throws: CSVParser.Failure.unterminatedQuote(line: 1)) {
            try Array("\"open,1".utf8).withUnsafeBytes { try CSVParser.parse($0) }
        }
        #expect(throws: CSVParser.Failure.textAfterQuote(line: 1)) {
            try Array("\"a\"b,1".utf8).withUnsafeBytes { try CSVParser.parse($0) }
        }
    }

    @Test func importsOneObjectAnArrayAndACreateAccountResponse() throws {
        let one = try parseImport(#"{"auth_id":"PA_P1","auth_token":"tokP1xyz","label":"Main"}"#)
        #expect(one.count == 1 && one[0].kind == .partner && one[0].label == "Main" && tokenText(one[0]) == "tokP1xyz")

        let many = try parseImport(#"[{"auth_id":"MA_A","auth_token":"tA","kind":"customer"},{"auth_id":"MA_B","auth_token":"tB"}]"#)
        #expect(many.map(\.authID.rawValue) == ["MA_A", "MA_B"])

        let created = try parseImport(#"""
            {"api_id":"5f3b","auth_id":"MA_NEW9","auth_token":"NEWtoken123","name":"Acme Ltd","enabled":true,
             "created":"2026-11-29","cps":10,"meta":{"x":[1,2]}}
            """#)
        #expect(created[0].authID.rawValue == "MA_NEW9" && created[0].label == "Acme Ltd" && tokenText(created[0]) == "NEWtoken123")
    }

    @Test func importsCSVWithOrWithoutHeader() throws {
        let rows = try parseImport("auth_id,auth_token,label\nPA_P1,tokP,Main partner\nMA_C1,tokC,\"Acme, Inc\"\nMA_C2,tokD\n")
        #expect(rows.map(\.authID.rawValue) == ["PA_P1", "MA_C1", "MA_C2"])
        #expect(rows.map(\.label) == ["Main partner", "Acme, Inc", nil])
        #expect(try parseImport("MA_C1,tokC,x").count == 1)
    }

    @Test(arguments: [
        (#"{"auth_id":"MA_A"}"#, "record 1: missing auth_token"),
        (#"[{"auth_id":"MA_A","auth_token":"t"},{"auth_token":"t2"}]"#, "record 2: missing auth_id"),
        (#"{"auth_id":"MA_A","auth_token":42}"#, "record 1: auth_token must be a string"),
        (#"{"auth_id":"XX_A","auth_token":"t"}"#, "record 1: invalid auth_id"),
        (#"{"auth_id":"MA_A","auth_token":"t","kind":"partner"}"#, "record 1: MA_A is declared kind"),
        (#"{"auth_id":"MA_A","auth_token":"has space"}"#, "printable ASCII"),
        (#"{"auth_id":"MA_A","auth_token":""}"#, "it is empty"),
        (#"[{"auth_id":"MA_A","auth_token":"one"},{"auth_id":"MA_A","auth_token":"two"}]"#, "MA_A appears twice"),
        ("[1]", "record 1: expected an object, got number"),
        ("MA_A,tok,label,extra", "CSV line 1: expected auth_id,auth_token[,label], got 4 fields"),
        ("   \n  ", "nothing to import"),
        ("[]", "nothing to import"),
    ] as [(String, String)])
    func refusesBadImportsWithAPointer(_ input: String, _ message: String) {
        do {
            _ = try parseImport(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func importErrorsNeverEchoTheToken() {
        for input in [#"{"auth_id":"MA_A","auth_token":"CANARYsecret with space"}"#,
                      #"[{"auth_id":"MA_A","auth_token":"CANARYone"},{"auth_id":"MA_A","auth_token":"CANARYtwo"}]"#,
                      "MA_A,CANARYsecret\u{7f},x", "CANARYsecret,MA_A"] {
            do {
                _ = try parseImport(input)
                Issue.record("accepted")
            } catch {
                #expect(!error.description.contains("CANARY"), "\(error.description)")
            }
        }
    }

    @Test func jsonOfTheWrongShapeIsNamed() {
        #expect(throws: ImportParser.Failure.shape("expected a JSON object with auth_id and auth_token, or an array of them; got string")) {
            try parseImport(#""just a string""#, format: .json)
        }
    }

    @Test func identicalDuplicatesCollapse() throws {
        let r = try parseImport(#"[{"auth_id":"MA_A","auth_token":"same"},{"auth_id":"MA_A","auth_token":"same"}]"#)
        #expect(r.count == 1)
    }

    @Test func scratchWipes() {
        let s = SecretScratch(Array("CANARY".utf8))
        s.wipe()
        #expect(s.isEmpty)
        #expect(s.description == "<redacted>")
    }
}
