import Foundation
import Testing
import VaultTestSupport

/// Partner JWT sessions against a mock that issues short-lived HS256 JWTs and counts logins.
@Suite(.serialized) struct JWTTests {
    static let grants = """
        [[grant]]
        name = "app-jwt"
        uid = 0
        credentials = ["partner"]
        operations = ["jwt"]
        """

    /// A running vault, the mock, and the partner's login password (a canary). The mock's tokens
    /// live seconds, so `floor` (`[jwt] refresh_floor`) is lowered for the tests of refreshing;
    /// nil keeps the default (30 s).
    static func vault(lifetime: Int = 12, setCredentials: Bool = true, password: String? = nil,
                      floor: String? = "1s") throws -> (DaemonHarness, MockVobiz, String) {
        let s = try Scratch()
        var tokens: [String: Any] = MockVobiz.standardTokens(s)
        let right = s.token("password")
        tokens["__login"] = ["email": "ops@example.com", "password": right]
        let mock = try MockVobiz(s, tokens: tokens)
        try mock.mode(jwtLifetime: lifetime)
        let jwt = floor.map { "\n[jwt]\nrefresh_floor = \"\($0)\"\n" } ?? ""
        let d = try DaemonHarness(grants: grants, extra: mock.upstreamConfig() + jwt, scratch: s)
        try d.start()
        if setCredentials {
            if let password { SuiteSweep.canary("password", password) }
            let r = try d.s.vv(["login-credentials", "set", "partner"] + d.cfg, stdin: "ops@example.com\n\(password ?? right)\n")
            #expect(r.code == 0, "\(r.all)")
        }
        return (d, mock, right)
    }

    static func jwt(_ d: DaemonHarness) throws -> (status: Int, token: String?, answer: [String: Any]) {
        let raw = try d.curl(["-s", "-w", "\n%{http_code}", "-X", "POST", "-d", "{}", "http://v/v1/jwt"])
        d.s.captured.removeAll { $0 == raw } // the access token goes to its caller by design
        let lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
        let answer = (try? JSONSerialization.jsonObject(with: Data((lines.dropLast().joined(separator: "\n")).utf8)) as? [String: Any]) ?? [:]
        return (Int(lines.last ?? "") ?? 0, answer["access_token"] as? String, answer)
    }

    static func status(_ d: DaemonHarness) throws -> [String: Any] {
        let r = try d.s.vv(["jwt", "status", "--json"] + d.cfg)
        return ((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]])?.first ?? [:]
    }

    @Test func cachedReusedRefreshedAheadAndKeptAcrossARestart() throws {
        let (d, mock, password) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let first = try Self.jwt(d)
        #expect(first.status == 200 && first.answer["token_type"] as? String == "Bearer", "\(first.answer)")
        let token1 = try #require(first.token)
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        let left = metrics.split(separator: "\n").first { $0.hasPrefix("vobiz_vault_jwt_expires_in_seconds{auth_id=\"PA_MAIN\"}") }
        #expect((left?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 5, "\(left ?? "no jwt_expires_in metric")")
        let again = try Self.jwt(d).token
        let loginsAfterReuse = try mock.logins()
        #expect(again == token1 && loginsAfterReuse == 1, "a cached token is reused")
        // Nobody asks again; the refresher logs in before the token's refresh time passes.
        sleep(9)
        #expect(try mock.logins() == 2, "refresh-ahead logs in for a session in use")
        let token2 = try #require(try Self.jwt(d).token)
        let loginsAfterRefresh = try mock.logins()
        #expect(token2 != token1 && loginsAfterRefresh == 2)
        // A restart keeps the valid session: no login.
        #expect(d.stop() == 0)
        try d.start()
        let got1 = try Self.jwt(d).token, logins1 = try mock.logins()
        #expect(got1 == token2 && logins1 == 2)
        // `rekey --data-key` carries the session and the login credentials over.
        #expect(d.stop() == 0)
        let rekey = try d.s.vv(["rekey", "--data-key"] + d.cfg)
        #expect(rekey.code == 0, "\(rekey.all)")
        try d.start()
        let got2 = try Self.jwt(d).token, logins2 = try mock.logins()
        #expect(got2 == token2 && logins2 == 2)
        let forced = try d.s.vv(["jwt", "login"] + d.cfg)
        let loginsAfterForce = try mock.logins()
        #expect(forced.code == 0 && loginsAfterForce == 3, "\(forced.all)")
        // Secrets stay out of every log, audit row and database byte.
        let audit = try d.s.vv(["audit", "export"] + d.cfg).out
        for secret in [token1, token2, password] {
            #expect(!d.log().contains(secret) && !audit.contains(secret))
            for (name, data) in try d.s.files() { #expect(data.range(of: Data(secret.utf8)) == nil, "\(name)") }
        }
        #expect(try d.s.canaryHits().isEmpty)
        let logins = try d.auditJSON().filter { $0["op"] as? String == "jwt-login" && $0["outcome"] as? String == "ok" }
        #expect(logins.count == 3)
    }

    @Test func anExpClaimEarlierThanExpiresInWins() throws {
        let (d, mock, _) = try Self.vault(lifetime: 600)
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(jwtLifetime: 600, jwtExpOffset: -300)
        let got3 = try Self.jwt(d).status, logins3 = try mock.logins()
        #expect(got3 == 200)
        let s = try Self.status(d)
        let issued = ISO8601DateFormatter().date(from: s["issued_at"] as? String ?? "")
        let expires = ISO8601DateFormatter().date(from: s["expires_at"] as? String ?? "")
        let lifetime = expires.flatMap { e in issued.map { e.timeIntervalSince($0) } } ?? 0
        #expect(abs(lifetime - 300) <= 2, "expires_at follows the exp claim (300 s), not expires_in (600 s): \(s)")
        // Within the refresh margin (min of 5 min and 10 % of 300 s = 30 s), not yet: reused.
        #expect(try Self.jwt(d).status == 200 && logins3 == 1)
    }

    @Test func fiftyCallersAtTheMomentOfExpiryCauseOneLogin() throws {
        let (d, mock, _) = try Self.vault(lifetime: 12)
        defer { withExtendedLifetime((d, mock)) {} }
        try mock.mode(jwtLifetime: 12, loginDelay: 0.5)
        let first = try d.python("jwt_burst.py", [d.client, "50"])
        #expect(first["statuses"] as? [Int] == [200] && first["distinct_tokens"] as? Int == 1, "\(first)")
        #expect(try mock.logins() == 1)
        // At the refresh time (12 s lifetime, usable until 5 s before expiry), 50 at once again.
        sleep(7)
        let second = try d.python("jwt_burst.py", [d.client, "50"])
        #expect(second["statuses"] as? [Int] == [200] && second["distinct_tokens"] as? Int == 1, "\(second)")
        #expect(try mock.logins() == 2, "one login for everyone waiting")
    }

    @Test func aWrongPasswordFailsTheSessionUntilTheCredentialsChange() throws {
        let (d, mock, password) = try Self.vault(password: "wrong-\(UUID().uuidString)")
        defer { withExtendedLifetime((d, mock)) {} }
        let r = try Self.jwt(d)
        #expect(r.status == 502 && problemType(r.answer) == "upstream_unavailable" && (r.answer["detail"] as? String ?? "").contains("invalid_credentials"),
                "\(r.answer)")
        sleep(3)
        #expect(try Self.jwt(d).status == 502)
        #expect(try mock.logins() == 1, "no further login attempts after invalid_credentials")
        let s = try Self.status(d)
        #expect(s["state"] as? String == "failed" && (s["last_error"] as? String ?? "").contains("invalid_credentials"), "\(s)")
        let remind = try d.s.vv(["remind"] + d.cfg)
        #expect(remind.code == 2 && remind.out.contains("JWT login failing"), "\(remind.all)")
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        #expect(metrics.contains("vobiz_vault_jwt_failing{auth_id=\"PA_MAIN\"} 1"), "\(metrics)")
        #expect(metrics.contains("vobiz_vault_jwt_logins_total{outcome=\"invalid_credentials\"} 1"))
        let failed = try d.auditJSON().filter { $0["op"] as? String == "jwt-login" && $0["outcome"] as? String == "failed" }
        #expect(failed.count == 1)
        // New credentials end the failure.
        #expect(try d.s.vv(["login-credentials", "set", "partner"] + d.cfg, stdin: "ops@example.com\n\(password)").code == 0)
        let got4 = try Self.jwt(d).status, logins4 = try mock.logins()
        #expect(got4 == 200 && logins4 == 2)
        #expect(!(try d.s.vv(["remind"] + d.cfg).out.contains("JWT login failing")))
        #expect(!d.log().contains(password))
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func whileVobizIsDownNoExpiredTokenIsServedAndLoginsBackOff() throws {
        let (d, mock, _) = try Self.vault(lifetime: 12)
        defer { withExtendedLifetime((d, mock)) {} }
        let token = try #require(try Self.jwt(d).token)
        mock.stop()
        // Still usable for a few seconds: the cached token is served.
        #expect(try Self.jwt(d).token == token)
        sleep(9)
        let r = try Self.jwt(d)
        #expect(r.status == 502 && problemType(r.answer) == "upstream_unavailable" && r.token == nil, "\(r.answer)")
        let s = try Self.status(d)
        #expect(s["last_error"] is String && s["state"] as? String == "valid", "\(s)")
        // Every failed attempt is audited; while one backs off, callers are answered at once
        // rather than each starting a login of its own.
        let tries = try d.auditJSON().filter { $0["op"] as? String == "jwt-login" && $0["outcome"] as? String == "failed" }.count
        #expect(tries >= 1 && tries <= 4, "\(tries) failed logins in about 3 s")
        let start = Date()
        for _ in 0..<20 { #expect(try Self.jwt(d).status == 502) }
        #expect(Date().timeIntervalSince(start) < 10, "20 refusals must not each wait for a login")
        let after = try d.auditJSON().filter { $0["op"] as? String == "jwt-login" && $0["outcome"] as? String == "failed" }.count
        #expect(after - tries <= 4, "20 callers caused \(after - tries) more login attempts")
    }

    @Test func jwtNeedsAGrantAndThePartner() throws {
        let (d, mock, _) = try Self.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let other = try d.curl(["-s", "-X", "POST", "-d", "{}", "http://v/v1/jwt"], asNobody: true)
        #expect(other.contains("not_granted"), "\(other)")
        let customer = try d.curl(["-s", "-X", "POST", "-d", #"{"credential":"MA_ACME"}"#, "http://v/v1/jwt"])
        #expect(customer.contains("scope_mismatch"), "\(customer)")
        let junk = try d.curl(["-s", "-X", "POST", "-d", #"{"credentials":"partner"}"#, "http://v/v1/jwt"])
        #expect(junk.contains("bad_request"), "\(junk)")
        let customerLogin = try d.s.vv(["login-credentials", "set", "MA_ACME"] + d.cfg, stdin: "a@b.c\npw\n")
        #expect(customerLogin.code == 1 && customerLogin.err.contains("partner API"), "\(customerLogin.all)")
        let oneLine = try d.s.vv(["login-credentials", "set", "partner"] + d.cfg, stdin: "only-an-email\n")
        #expect(oneLine.code == 1 && oneLine.err.contains("second"), "\(oneLine.all)")
        #expect(try mock.logins() == 0)
    }
}
