import Foundation
import Testing
import VaultTestSupport

/// `POST /v1/callbacks/verify` and `verify-callback`, against signatures made with the Vobiz
/// Python SDK's own helpers.
@Suite(.serialized) struct CallbackTests {
    static let grants = """
        [[grant]]
        name = "webhooks"
        uid = 0
        credentials = ["partner", "MA_*"]
        operations = ["verify_callback"]
        """

    static func vault() throws -> DaemonHarness {
        let d = try DaemonHarness(grants: grants)
        try d.start()
        return d
    }

    /// A 0600 file holding `token`, for the SDK scripts (never an argv).
    static func tokenFile(_ d: DaemonHarness, _ name: String, _ token: String) throws -> String {
        let path = d.s.root + "/" + name + ".token"
        FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        SuiteSweep.input(path)
        return path
    }

    static func sdk(_ script: String, _ args: [String]) throws -> [String: Any] {
        let venv = try PythonVenv.withVobizSDK()
        let out = try Process.run("/usr/bin/env", ["PYTHONPATH=" + DaemonHarness.pythonDir, venv.python, DaemonHarness.pythonDir + "/" + script] + args)
        return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? ["unparsed": out]
    }

    /// Signs a callback with the SDK and asks the vault; returns the vault's answer.
    static func verify(_ d: DaemonHarness, tokenFile: String, credential: String = "MA_ACME", method: String = "POST",
                       url: String = "https://hooks.example.com/vobiz/answer?leg=a", params: [String: Any] = ["From": "+15550001", "CallUUID": "c-1"],
                       nonce: String = UUID().uuidString, ma: Bool = false, asNobody: Bool = false) throws -> [String: Any] {
        let paramsJSON = String(decoding: try JSONSerialization.data(withJSONObject: params), as: UTF8.self)
        let headers = try sdk("callback_sign.py", [tokenFile, method, url, paramsJSON, nonce] + (ma ? ["ma"] : []))
        var body: [String: Any] = ["credential": credential, "method": method, "url": url, "headers": headers]
        if !params.isEmpty { body["params"] = params }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let out = try d.curl(["-X", "POST", "-d", json, "http://v/v1/callbacks/verify"], asNobody: asNobody)
        return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? ["unparsed": out]
    }

    @Test func verdictsAgreeWithTheVobizPythonSDK() throws {
        let d = try Self.vault()
        let file = try Self.tokenFile(d, "acme", d.s.token("acme"))
        let r = try Self.sdk("callback_vectors.py", [d.client, file, "MA_ACME", "120", String(Int.random(in: 1...1_000_000))])
        #expect(r["disagreement_count"] as? Int == 0, "\(r)")
        #expect((r["checked"] as? Int ?? 0) >= 500 && (r["valid"] as? Int ?? 0) >= 120, "\(r)")
        #expect(try d.s.canaryHits().isEmpty)
        #expect(!d.log().contains(d.s.canary))
    }

    @Test func previousTokenVerifiesDuringItsGraceOnly() throws {
        let d = try Self.vault()
        let old = try Self.tokenFile(d, "old", d.s.token("acme"))
        let new = try Self.tokenFile(d, "new", d.s.token("acme-2"))
        #expect(try Self.verify(d, tokenFile: old)["token_version"] as? Int == 1)
        #expect(try d.s.vv(["rotate", "MA_ACME", "--grace", "3s"] + d.cfg, stdin: d.s.token("acme-2")).code == 0)
        let during = try Self.verify(d, tokenFile: old)
        #expect(during["valid"] as? Bool == true && during["token_version"] as? Int == 1, "\(during)")
        let fresh = try Self.verify(d, tokenFile: new)
        #expect(fresh["valid"] as? Bool == true && fresh["token_version"] as? Int == 2 && fresh["signed_by"] as? String == "account", "\(fresh)")
        sleep(4)
        let after = try Self.verify(d, tokenFile: old)
        #expect(after["valid"] as? Bool == false && after["token_version"] is NSNull, "\(after)")
        #expect(try Self.verify(d, tokenFile: new)["valid"] as? Bool == true)
    }

    @Test func replaysGrantsUnknownCredentialsAndTheParentHeader() throws {
        let d = try Self.vault()
        let acme = try Self.tokenFile(d, "acme", d.s.token("acme"))
        let partner = try Self.tokenFile(d, "partner", d.s.token("partner"))
        let nonce = UUID().uuidString
        #expect(try Self.verify(d, tokenFile: acme, nonce: nonce)["valid"] as? Bool == true)
        let replay = try Self.verify(d, tokenFile: acme, nonce: nonce)
        #expect(problemType(replay) == "replayed", "\(replay)")
        let nobody = try Self.verify(d, tokenFile: acme, asNobody: true)
        #expect(problemType(nobody) == "not_granted", "\(nobody)")
        let unknown = try Self.verify(d, tokenFile: acme, credential: "MA_NOPE")
        #expect(problemType(unknown) == "unknown_credential", "\(unknown)")
        // The -MA- header is signed with the parent account's token.
        let parent = try Self.verify(d, tokenFile: partner, ma: true)
        #expect(parent["valid"] as? Bool == true && parent["signed_by"] as? String == "parent", "\(parent)")
        let wrongParent = try Self.verify(d, tokenFile: acme, ma: true)
        #expect(wrongParent["valid"] as? Bool == false, "\(wrongParent)")
        // GET callbacks sign the query.
        let get = try Self.verify(d, tokenFile: acme, method: "GET", url: "https://hooks.example.com/hangup?CallUUID=c-2&Duration=31", params: [:])
        #expect(get["valid"] as? Bool == true && get["scheme"] as? String == "v3", "\(get)")
        let rows = try d.auditJSON().filter { $0["op"] as? String == "verify_callback" }
        #expect(rows.filter { $0["outcome"] as? String == "ok" }.count == 3 && rows.count >= 7, "\(rows.count)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func verifyCallbackReadsARawRequest() throws {
        let d = try Self.vault()
        let acme = try Self.tokenFile(d, "acme", d.s.token("acme"))
        let params: [String: Any] = ["From": "+15550001", "To": "+15550002", "Digits": "42"]
        let nonce = UUID().uuidString
        let headers = try Self.sdk("callback_sign.py", [acme, "POST", "https://hooks.example.com/ivr?step=2",
                                                        String(decoding: try JSONSerialization.data(withJSONObject: params), as: UTF8.self), nonce])
        let form = "From=%2B15550001&To=%2B15550002&Digits=42"
        func request(_ body: String) -> String {
            var lines = ["POST /ivr?step=2 HTTP/1.1", "Host: hooks.example.com", "Content-Type: application/x-www-form-urlencoded",
                         "Content-Length: \(body.utf8.count)"]
            for (k, v) in headers { lines.append("\(k): \(v)") }
            return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
        }
        let tampered = try d.s.vv(["verify-callback", "--credential", "MA_ACME"] + d.cfg, stdin: request(form.replacingOccurrences(of: "42", with: "43")))
        #expect(tampered.code == 1 && tampered.out.hasPrefix("invalid (v3)"), "\(tampered.all)")
        let good = try d.s.vv(["verify-callback", "--credential", "MA_ACME"] + d.cfg, stdin: request(form))
        #expect(good.code == 0 && good.out.hasPrefix("valid (v3, signed by account, token version 1)"), "\(good.all)")
        let garbage = try d.s.vv(["verify-callback", "--credential", "MA_ACME"] + d.cfg, stdin: "not http")
        #expect(garbage.code == 2 && garbage.err.contains("raw HTTP request"), "\(garbage.all)")
        // --json: the daemon's answer with its keys sorted; an invalid signature exits 1 there too.
        let json = try d.s.vv(["verify-callback", "--credential", "MA_ACME", "--json"] + d.cfg,
                              stdin: request(form.replacingOccurrences(of: "42", with: "44")))
        #expect(json.code == 1 && json.out.hasPrefix(#"{"reason":"#) && json.out.contains(#""signed_by":null,"token_version":null,"valid":false}"#),
                "\(json.all)")
        // No daemon to ask: the question was not answered, exit 2.
        let down = try d.s.vv(["verify-callback", "--credential", "MA_ACME", "--socket", d.s.root + "/gone.sock"] + d.cfg, stdin: request(form))
        #expect(down.code == 2 && down.err.contains("gone.sock"), "\(down.all)")
    }
}
