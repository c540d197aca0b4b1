import Foundation
import Testing

/// Once the vault has stored a captured token, no shape of the upstream's answer gets that token
/// to the caller; only an answer the vault could not store from goes back with the token in it.
@Suite(.serialized) struct CaptureWithholdingTests {
    /// Creates a customer through the proxy: (status, headers, body, whole raw answer).
    static func create(_ d: DaemonHarness) throws -> (Int, [String: String], String, String) {
        let args = ["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"name":"Shape Co"}"#,
                    "http://v/v1/proxy/api/v1/partner/accounts"]
        let (status, headers, body) = try ProxyTests.proxied(d, args)
        return (status, headers, body, d.s.captured.last ?? "")
    }

    @Test(arguments: ["nested_copy", "message_copy", "escaped_copy", "headers", "array"])
    func aStoredTokenNeverReachesTheCaller(shape: String) throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(createShape: shape)
        let (status, headers, body, raw) = try Self.create(d)
        #expect(status == 201 && headers["x-vault-capture"] == "stored", "\(shape): \(headers) \(body)")
        // The new tokens are the test's canary followed by "new…"; the escaped copy spells its
        // first character as \u0043, so look for the rest of it too.
        #expect(!raw.contains(d.s.canary) && !raw.contains(String(d.s.canary.dropFirst())), "\(shape): the token reached the caller")
        let answer = ProxyTests.json(body)
        let newID = try #require(answer["auth_id"] as? String, "\(shape): \(body)")
        let placeholder = try #require(answer["auth_token"] as? String)
        #expect(placeholder.hasPrefix("vaulted:"), "\(shape): \(body)")
        // Stored, and usable at once through the proxy.
        let info = ProxyTests.json(try d.s.vv(["show", newID, "--json"] + d.cfg).out)
        #expect(info["fingerprint"] as? String == String(placeholder.dropFirst(8)), "\(shape): \(info)")
        let (s2, _, b2) = try ProxyTests.proxied(d, ["http://v/v1/proxy/api/v1/Account/\(newID)/Call/"])
        let last = try mock.requests().last
        #expect(s2 == 200 && last?["token_ok"] as? Bool == true, "\(shape): \(b2)")
        if shape == "headers" {
            #expect(headers["x-debug-token"] == nil && headers["location"] == nil && answer["name"] as? String == "Shape Co",
                    "headers carrying the token are dropped, the body is rewritten in place: \(headers)")
        }
        if ["escaped_copy", "array"].contains(shape) {
            #expect(headers["x-vault-capture-answer"] == "replaced", "\(shape): \(headers)")
        }
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    /// An answer the vault cannot read (compressed although identity was asked for) cannot be
    /// stored: it goes back as it came, flagged, since it holds the only copy of the token.
    @Test func anAnswerTheVaultCannotStoreGoesBackFlagged() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(createShape: "gzip")
        let (status, headers, body, _) = try Self.create(d)
        #expect(status == 201 && headers["x-vault-capture"] == "failed" && headers["content-encoding"] == "gzip", "\(headers) \(body.prefix(80))")
        #expect(d.log().contains("CAPTURE FAILED") && !d.log().contains(d.s.canary))
        #expect(try d.auditJSON().filter { $0["op"] as? String == "capture" }.isEmpty, "nothing was stored")
        d.s.captured.removeAll { $0.contains(d.s.canary + "new") }
    }
}
