import Testing
@testable import VaultCore

/// The typed admin API's routes and its strict query and body readers.
@Suite struct AdminRouteTests {
    @Test func routesAreParsedFromMethodAndPath() {
        #expect(AdminRoute(method: "GET", path: "/v1/admin/status") == .status)
        #expect(AdminRoute(method: "GET", path: "/v1/admin/credentials") == .credentials)
        #expect(AdminRoute(method: "GET", path: "/v1/admin/credentials/MA_X") == .credential("MA_X"))
        #expect(AdminRoute(method: "POST", path: "/v1/admin/credentials/partner/rotate") == .rotate("partner"))
        #expect(AdminRoute(method: "POST", path: "/v1/admin/credentials/MA_X/edit") == .edit("MA_X"))
        #expect(AdminRoute(method: "POST", path: "/v1/admin/import") == .importCredentials)
        // Wrong method, extra or empty segments, unknown actions: not a typed route.
        for (m, p) in [("POST", "/v1/admin/status"), ("GET", "/v1/admin/credentials/MA_X/rotate"), ("POST", "/v1/admin/credentials//rotate"),
                       ("POST", "/v1/admin/credentials/MA_X/delete"), ("GET", "/v1/admin/credentials/"), ("GET", "/v1/admin/status/"),
                       ("GET", "/v1/admin"), ("POST", "/v1/admin/run/list")] {
            #expect(AdminRoute(method: m, path: p) == nil, "\(m) \(p)")
        }
    }

    @Test func queriesTakeOnlyWhatTheRouteTakes() throws {
        #expect(try AdminQuery("/v1/admin/due?within=14d", allowed: ["within"])["within"] == "14d")
        #expect(try AdminQuery("/v1/admin/due", allowed: ["within"])["within"] == nil)
        for uri in ["/v1/admin/due?limit=1", "/v1/admin/due?within=1d&within=2d", "/v1/admin/due?within=%31d", "/v1/admin/due?within=a b"] {
            #expect(throws: RequestError.self, "\(uri)") { try AdminQuery(uri, allowed: ["within"]) }
        }
    }

    @Test func bodiesAreStrict() throws {
        func fields(_ s: String) throws -> JSONFields {
            try Array(s.utf8).withUnsafeBytes { b in try JSONFields(json: b, allowed: ["token", "verify"]) }
        }
        let f = try fields(#"{"token":"t0k","verify":true}"#)
        #expect(try f.secret("token").plainText == "t0k" && f.bool("verify") == true)
        #expect(try fields("").bool("verify") == nil)
        for bad in [#"{"colour":1}"#, "[1]", "{", #"{"token":"a","token":"b"}"#] {
            #expect(throws: RequestError.self, "\(bad)") { try fields(bad) }
        }
        #expect(throws: RequestError.self) { try fields(#"{"verify":"yes"}"#).bool("verify") }
        #expect(throws: RequestError.self) { try fields(#"{"verify":true}"#).secret("token") }
    }

    @Test func secretsAreWrittenAsJSONStrings() {
        var out: [UInt8] = []
        Array("a\"b\\c\n".utf8).withUnsafeBytes { JSONText.appendString($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\u000a""#)
    }
}
