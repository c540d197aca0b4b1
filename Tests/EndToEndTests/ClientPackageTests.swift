import Foundation
import Testing

/// The Python client package (`clients/python`), installed with pip into a virtualenv, against
/// the real daemon on its real socket and a mock of the Vobiz API (`Tests/python/client_package.py`).
@Suite struct ClientPackageTests {
    static let grants = ProxyTests.grants + """

        [[grant]]
        name = "callbacks"
        uid = 0
        credentials = ["MA_*"]
        operations = ["verify_callback"]
        """

    @Test func thePythonPackageDoesWhatItsReadmeSays() throws {
        let (d, mock) = try ProxyTests.vault(grants: Self.grants)
        defer { withExtendedLifetime((d, mock)) {} }
        let venv = try PythonVenv.withVobizSDK()
        let tokenFile = try CallbackTests.tokenFile(d, "acme", d.s.token("acme"))
        // Its stderr too: a traceback is the message of a failed run.
        let out = try Process.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&1", venv.python, DaemonHarness.pythonDir + "/client_package.py",
                                              d.client, "MA_ACME", tokenFile, mock.origin])
        d.s.captured.append(out)
        let r = ProxyTests.json(out)
        #expect((r["installed_from"] as? String)?.contains("site-packages") == true, "not the pip-installed package: \(out)")
        #expect(r["socket"] as? Bool == true, "VOBIZ_VAULT_SOCKET not honoured: \(out)")
        #expect(r["sealed"] as? Bool == true && r["sealed_call"] as? Int == 201, "\(out)")
        #expect(r["requests_get"] as? Int == 200 && r["httpx_get"] as? Int == 200 && r["httpx_post"] as? Int == 201
                && r["httpx_async_get"] as? Int == 200, "\(out)")
        #expect(r["sdk_list_objects"] as? Int == 1 && r["sdk_create"] as? String == "call fired", "\(out)")
        #expect(r["refusal"] as? String == "unknown_credential", "\(out)")
        #expect(r["callback"] as? Bool == true && r["callback_replay"] as? String == "replayed" && r["callback_bad"] as? Bool == false, "\(out)")
        #expect(r["unreachable"] as? String == "unreachable", "\(out)")
        // Every call the mock saw carried the vault's token for MA_ACME, never one of the script's.
        let seen = try mock.requests()
        #expect(seen.count == 7 && seen.allSatisfy { $0["token_ok"] as? Bool == true && $0["auth_id"] as? String == "MA_ACME" }, "\(seen)")
        #expect(try d.s.canaryHits().isEmpty)
    }
}
