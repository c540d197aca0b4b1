import Foundation
import Testing
@testable import VaultCore

/// The split of a listing's answer into its rows is exact: every row the encoder wrote comes
/// back byte for byte, whatever its strings hold, and anything not of the page's shape is refused.
@Suite struct EncodedPageTests {
    struct Row: Codable, Equatable {
        var auth_id: String
        var label: String
        var nested: [String: [Int]]
    }

    struct Page: Encodable {
        var rows: [Row]
        var next: String?
        enum CodingKeys: String, CodingKey { case rows = "credentials", next }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rows, forKey: .rows)
            try c.encode(next, forKey: .next)
        }
    }

    @Test func rowsComeBackAsTheEncoderWroteThem() throws {
        let labels = ["plain", "a \"quoted\" one", "back\\slash\\", "],[{}", "comma, and colon:", "ünï ✓ \u{1}", "", "\\\""]
        let rows = labels.enumerated().map { Row(auth_id: "MA_\($0.offset)", label: $0.element, nested: ["k": [$0.offset, 1]]) }
        for next in [nil, "MA_7", "1767225600:MA_X"] as [String?] {
            for count in [0, 1, rows.count] {
                let answer = AdminJSON.encode(Page(rows: Array(rows.prefix(count)), next: next), pretty: false) + "\n"
                let page = try #require(EncodedPage(answer: Array(answer.utf8), key: "credentials"), "\(answer)")
                let encoder = AdminJSON.encoder(pretty: false)
                #expect(page.rows == rows.prefix(count).map { AdminJSON.encode($0, with: encoder) })
                #expect(page.next == next)
            }
        }
        let audit = EncodedPage(answer: Array(#"{"events":[{"seq":5}],"next":5}"#.utf8), key: "events")
        #expect(audit == EncodedPage(rows: [#"{"seq":5}"#], next: "5"))
    }

    @Test func otherShapesAreRefused() {
        for bad in [#"{"due":[],"next":null}"#, #"{"credentials":[1,2],"next":nul}"#, #"{"credentials":[,1],"next":null}"#,
                    #"{"credentials":[1],"next":"a\"b"}"#, #"{"credentials":[1],"next":-1}"#, #"{"credentials":[1]"#,
                    #"{"credentials":[1],"next":null,"x":1}"#, "", "{", #"{"credentials":["#] {
            #expect(EncodedPage(answer: Array(bad.utf8), key: "credentials") == nil, "\(bad)")
        }
    }
}
