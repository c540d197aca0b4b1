import Foundation
import Testing

/// `vobiz-vault policy check`: which grant allows a request or every reason none does, offline
/// and through the daemon with the same output, and the credential checks the daemon makes
/// before any grant.
@Suite(.serialized) struct PolicyCheckTests {
    static let grants = """
        [[grant]]
        name = "billing"
        uid = 1000
        exe = "/usr/bin/billing"
        credentials = ["MA_ACME", "MA_NOPE", "MA_GONE"]
        operations = ["headers"]
        methods = ["GET"]
        paths = ["/api/v1/Account/*/Call/**"]

        [[grant]]
        name = "ops"
        uid = 0
        credentials = ["partner"]
        operations = ["proxy"]
        """

    static let acme = "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"

    /// Each case: arguments after `policy check`, expected exit code and standard output (nil: any,
    /// with `err` in standard error).
    static let cases: [(args: [String], code: Int32, out: String?, err: String?)] = [
        (["--uid", "1000", "--exe", "/usr/bin/billing", "GET", acme], 0, "allowed by grant \"billing\" (sealed headers)\n", nil),
        // --exe decides: another program of the same uid is denied, and why.
        (["--uid", "1000", "--exe", "/usr/bin/other", "GET", acme], 1, """
            denied:
              grant "billing": exe /usr/bin/other is not /usr/bin/billing
              grant "ops": uid 1000 is not 0; operation headers is not allowed; credential MA_ACME is not in ["partner"]

            """, nil),
        // Every reason of every grant.
        (["--uid", "1000", "DELETE", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Recording/x"], 1, """
            denied:
              grant "billing": exe unknown is not /usr/bin/billing; method DELETE is not in ["GET"]; path /api/v1/Account/MA_ACME/Recording/x matches none of ["/api/v1/Account/*/Call/**"]
              grant "ops": uid 1000 is not 0; operation headers is not allowed; credential MA_ACME is not in ["partner"]

            """, nil),
        // --credential: the partner by name, with another operation.
        (["--uid", "0", "--operation", "proxy", "--credential", "partner", "POST", "https://api.vobiz.ai/api/v1/partner/accounts"], 0,
         "allowed by grant \"ops\" (sealed headers)\n", nil),
        // --credential naming another customer than the path: a question that cannot be asked
        // (the daemon refuses the request itself), so exit 2, not a denial.
        (["--uid", "1000", "--exe", "/usr/bin/billing", "--credential", "MA_BETA", "GET", acme], 2, nil,
         "the path /api/v1/Account/MA_ACME/Call/ belongs to another credential, not MA_BETA"),
        // A customer the vault does not hold, and one it holds revoked: what the daemon answers.
        (["--uid", "1000", "--exe", "/usr/bin/billing", "GET", "https://api.vobiz.ai/api/v1/Account/MA_NOPE/Call/"], 1,
         "denied: no credential MA_NOPE in this vault (the daemon answers unknown_credential); import it first\n", nil),
        (["--uid", "1000", "--exe", "/usr/bin/billing", "GET", "https://api.vobiz.ai/api/v1/Account/MA_GONE/Call/"], 1,
         "denied: MA_GONE is revoked (the daemon answers credential_revoked); rotate it before use\n", nil),
    ]

    @Test func offlineAndThroughTheDaemonGiveTheSameAnswers() throws {
        let d = try DaemonHarness(grants: Self.grants)
        func run() throws -> [Binary.Result] {
            try Self.cases.map { try d.s.vv(["policy", "check"] + $0.args + d.cfg) }
        }
        let offline = try run()
        for (c, r) in zip(Self.cases, offline) {
            #expect(r.code == c.code, "\(c.args): \(r.all)")
            if let out = c.out { #expect(r.out == out, "\(c.args): \(r.out)") }
            if let err = c.err { #expect(r.err.contains(err), "\(c.args): \(r.err)") }
        }
        try d.start()
        let online = try run()
        for (c, (a, b)) in zip(Self.cases, zip(offline, online)) {
            #expect(a.code == b.code && a.out == b.out, "\(c.args): offline \(a.all) online \(b.all)")
        }
        // The daemon does refuse those credentials so, before looking at any grant.
        #expect(problemType(try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_NOPE/Call/")) == "unknown_credential")
        #expect(problemType(try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_GONE/Call/")) == "credential_revoked")
        #expect(d.stop() == 0)
    }

    @Test func withoutAReadableVaultItSaysTheCredentialIsNotChecked() throws {
        let d = try DaemonHarness(grants: Self.grants)
        // A state directory with no vault in it yet: only the configuration's policy is at hand.
        let empty = d.s.root + "/empty-state"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let r = try d.s.vv(["policy", "check", "--uid", "1000", "--exe", "/usr/bin/billing", "GET",
                            "https://api.vobiz.ai/api/v1/Account/MA_NOPE/Call/"] + d.cfg + ["--state-dir", empty])
        #expect(r.code == 0 && r.out.contains("not checked") && r.out.contains("allowed by grant \"billing\""), "\(r.all)")
    }
}
