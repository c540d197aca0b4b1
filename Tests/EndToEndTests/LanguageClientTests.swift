import Foundation
import Testing

/// The Go and Node.js clients (`clients/go`, `clients/node`: standard libraries only) run their
/// examples against the real daemon and a mock of the Vobiz API: sealed headers and the call
/// they seal, a call through the proxy, a refusal, and a callback checked once then refused as
/// replayed. Each finds the socket through `VOBIZ_VAULT_SOCKET`.
@Suite(.serialized) struct LanguageClientTests {
    static let repo = SystemdUnitTests.repo

    /// A callback signed by the Vobiz SDK with the customer's token, as `{url, params, headers}`.
    static func signedCallback(_ d: DaemonHarness) throws -> String {
        let token = try CallbackTests.tokenFile(d, "acme", d.s.token("acme"))
        let url = "https://hooks.example.com/vobiz/answer", params = ["CallUUID": "c-1", "From": "+15550001"]
        let paramsJSON = String(decoding: try JSONSerialization.data(withJSONObject: params), as: UTF8.self)
        let headers = try CallbackTests.sdk("callback_sign.py", [token, "POST", url, paramsJSON, UUID().uuidString])
        let file = d.s.root + "/callback-\(UUID().uuidString).json"
        let doc = try JSONSerialization.data(withJSONObject: ["url": url, "params": params, "headers": headers])
        FileManager.default.createFile(atPath: file, contents: doc)
        return file
    }

    static func run(_ argv: [String], in dir: String, _ d: DaemonHarness) throws -> [String: Any] {
        let script = "cd \"$0\" && exec env VOBIZ_VAULT_SOCKET=\"$1\" \"$@\" 2>&1"
        let out = try Process.run("/bin/sh", ["-c", script.replacingOccurrences(of: "\"$@\"", with: argv.map { "'\($0)'" }.joined(separator: " ")),
                                              dir, d.client])
        d.s.captured.append(out)
        let r = ProxyTests.json(out.split(separator: "\n").last.map(String.init) ?? "")
        #expect(!r.isEmpty, "\(argv.first ?? ""): \(out)")
        return r
    }

    static func expectTheExampleWorked(_ r: [String: Any], _ d: DaemonHarness, _ mock: MockVobiz, calls: Int) throws {
        #expect(r["socket"] as? String == d.client, "\(r)")
        #expect(r["sealed"] as? Bool == true && r["sealed_call"] as? Int == 201, "\(r)")
        #expect(r["proxy_get"] as? Int == 200 && r["proxy_objects"] as? Int == 1, "\(r)")
        #expect(r["refusal"] as? String == "unknown_credential", "\(r)")
        #expect(r["callback"] as? Bool == true && r["callback_replay"] as? String == "replayed", "\(r)")
        let seen = try mock.requests()
        #expect(seen.count == calls && seen.allSatisfy { $0["token_ok"] as? Bool == true && $0["auth_id"] as? String == "MA_ACME" }, "\(seen)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func theNodeExampleUsesTheVault() throws {
        let (d, mock) = try ProxyTests.vault(grants: ClientPackageTests.grants)
        defer { withExtendedLifetime((d, mock)) {} }
        let callback = try Self.signedCallback(d)
        let r = try Self.run(["node", "example.mjs", "MA_ACME", mock.origin, callback], in: Self.repo + "/clients/node", d)
        try Self.expectTheExampleWorked(r, d, mock, calls: 2)
    }

    @Test func theGoExampleUsesTheVault() throws {
        let (d, mock) = try ProxyTests.vault(grants: ClientPackageTests.grants)
        defer { withExtendedLifetime((d, mock)) {} }
        let callback = try Self.signedCallback(d)
        let r = try Self.run(["go", "run", "./example", "MA_ACME", mock.origin, callback], in: Self.repo + "/clients/go", d)
        try Self.expectTheExampleWorked(r, d, mock, calls: 2)
    }
}
