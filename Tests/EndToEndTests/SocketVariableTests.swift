import Foundation
import Testing

/// `VOBIZ_VAULT_SOCKET` points the CLI at a vault's client socket, as `SSH_AUTH_SOCK` does;
/// `--socket` still wins over it.
@Suite struct SocketVariableTests {
    @Test func theVariableFindsTheDaemonAndTheFlagWins() throws {
        let d = try DaemonHarness()
        try d.start()
        let url = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"
        // A configuration whose client socket is somewhere no daemon listens.
        let text = try String(contentsOfFile: d.config, encoding: .utf8)
            .replacingOccurrences(of: "client = \"\(d.s.root)/run/vault.sock\"", with: "client = \"\(d.s.root)/nowhere.sock\"")
        let other = d.s.root + "/elsewhere.toml"
        try text.write(toFile: other, atomically: true, encoding: .utf8)
        let without = try d.s.vv(["headers", "GET", url, "--config", other, "--json"])
        #expect(without.code != 0 && without.err.contains("nowhere.sock"), "\(without.all)")
        let with = try d.s.vv(["headers", "GET", url, "--config", other, "--json"], env: ["VOBIZ_VAULT_SOCKET": d.client])
        #expect(with.code == 0 && with.out.contains("X-Vault-Signature"), "\(with.all)")
        let flag = try d.s.vv(["headers", "GET", url, "--config", other, "--socket", d.s.root + "/flag.sock"], env: ["VOBIZ_VAULT_SOCKET": d.client])
        #expect(flag.code != 0 && flag.err.contains("flag.sock"), "\(flag.all)")
        #expect(d.stop() == 0)
    }
}
