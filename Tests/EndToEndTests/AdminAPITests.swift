import Foundation
import Testing
import VaultTestSupport

/// The typed admin API on the admin socket (Docs/api.md): each endpoint with valid input, and
/// each kind of bad input answered with a clear problem+json error that changes nothing.
/// Bodies travel on curl's standard input, never in its argv.
@Suite(.serialized) struct AdminAPITests {
    struct Answer {
        let status: Int
        let json: [String: Any]
        let raw: String
        var type: String? { problemType(json) }
    }

    static func call(_ d: DaemonHarness, _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json") throws -> Answer {
        var args = ["-s", "--max-time", "20", "--unix-socket", d.admin, "-X", method, "-w", "\n%{http_code}"]
        if body != nil { args += ["-H", "Content-Type: " + contentType, "--data-binary", "@-"] }
        let r = try Binary.run(args + ["http://v" + path], stdin: body, executable: "/usr/bin/curl")
        d.s.captured.append(r.out)
        let status = Int(r.out.split(separator: "\n").last ?? "") ?? 0
        let text = String(r.out.dropLast(String(status).count + 1))
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        return Answer(status: status, json: json, raw: text)
    }

    /// Every credential's metadata, to show that a refused change changed nothing (without the
    /// seconds left until each due date, which move with the clock).
    static func books(_ d: DaemonHarness) throws -> String {
        AdminSocketTests.withoutSeconds(try call(d, "GET", "/v1/admin/credentials").raw).0
    }

    @Test func readsAnswerWithTheCLIsFields() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let status = try Self.call(d, "GET", "/v1/admin/status")
        #expect(status.status == 200 && status.json["credentials"] as? Int == 4 && status.json["unlocked"] as? Bool == true, "\(status.raw)")
        let list = try Self.call(d, "GET", "/v1/admin/credentials")
        let ids = (list.json["credentials"] as? [[String: Any]])?.compactMap { $0["auth_id"] as? String }
        #expect(list.status == 200 && ids == ["PA_MAIN", "MA_ACME", "MA_BETA", "MA_GONE"], "\(list.raw)")
        let one = try Self.call(d, "GET", "/v1/admin/credentials/MA_ACME")
        #expect(one.status == 200 && (one.json["versions"] as? [[String: Any]])?.count == 1 && one.json["label"] as? String == "Acme", "\(one.raw)")
        let partner = try Self.call(d, "GET", "/v1/admin/credentials/partner")
        #expect(partner.json["auth_id"] as? String == "PA_MAIN", "\(partner.raw)")
        let due = try Self.call(d, "GET", "/v1/admin/due?within=100d")
        #expect(due.status == 200 && (due.json["due"] as? [[String: Any]])?.isEmpty == false, "\(due.raw)")
        // The audit log pages forward from a cursor.
        let newest = try Self.call(d, "GET", "/v1/admin/audit?limit=2")
        #expect((newest.json["events"] as? [[String: Any]])?.count == 2 && newest.json["next"] is NSNull, "\(newest.raw)")
        let first = try Self.call(d, "GET", "/v1/admin/audit?after=0&limit=2")
        let firstSeqs = (first.json["events"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int }
        #expect(firstSeqs == [1, 2] && first.json["next"] as? Int == 2, "\(first.raw)")
        let second = try Self.call(d, "GET", "/v1/admin/audit?after=2&limit=2")
        #expect((second.json["events"] as? [[String: Any]])?.first?["seq"] as? Int == 3, "\(second.raw)")
        // Bad input: a clear error with a stable type.
        for (path, type) in [("/v1/admin/credentials/MA_NOPE", "unknown_credential"), ("/v1/admin/credentials/not-an-id", "bad_request"),
                             ("/v1/admin/due?within=soon", "bad_request"), ("/v1/admin/due?within=1d&within=2d", "bad_request"),
                             ("/v1/admin/due?limit=0", "bad_request"), ("/v1/admin/due?after=MA_X", "bad_request"),
                             ("/v1/admin/due?after=1:nope", "bad_request"), ("/v1/admin/credentials?limit=10001", "bad_request"),
                             ("/v1/admin/credentials?after=nope", "bad_request"), ("/v1/admin/credentials?limit=x", "bad_request"),
                             ("/v1/admin/credentials?cursor=MA_X", "bad_request"), ("/v1/admin/audit?limit=10001", "bad_request"),
                             ("/v1/admin/audit?after=-1", "bad_request"), ("/v1/admin/audit?limit=1e3", "bad_request"), ("/v1/admin/nothing", "not_found")] {
            let r = try Self.call(d, "GET", path)
            #expect(r.type == type && r.json["detail"] is String, "\(path): \(r.raw)")
        }
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func rotateRollbackRevokeAndEditChangeTheBooksAndBadInputChangesNothing() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let newToken = d.s.token("acme-two")
        SuiteSweep.canary("token", newToken)
        let before = try Self.books(d)
        let bad: [(String, String, String)] = [
            ("rotate", #"{"token":"\#(newToken)","colour":"red"}"#, "bad_request"),
            ("rotate", #"{"reason":"no token"}"#, "bad_request"),
            ("rotate", #"{"token":"\#(newToken)","grace":"7 fortnights"}"#, "bad_request"),
            ("rotate", #"{"token":"\#(d.s.token("acme"))"}"#, "conflict"),
            ("rotate", #"{"token":"has a space"}"#, "bad_request"),
            ("rotate", #"{"token":""}"#, "bad_request"),
            ("rotate", #"{"token":"\#(newToken)""#, "bad_request"),
            ("edit", "{}", "bad_request"),
            ("edit", #"{"max_age":"-3d"}"#, "bad_request"),
            ("edit", #"{"max_age":"1d","reset_policy":true}"#, "bad_request"),
            ("revoke", #"{"compromised":"yes"}"#, "bad_request"),
        ]
        for (op, body, type) in bad {
            let r = try Self.call(d, "POST", "/v1/admin/credentials/MA_ACME/" + op, body: body)
            #expect(r.type == type, "\(op) \(body.replacingOccurrences(of: d.s.canary, with: "…")): \(r.raw)")
            #expect(!r.raw.contains(d.s.canary), "a refusal must not echo the token")
        }
        let nothingToRollBack = try Self.call(d, "POST", "/v1/admin/credentials/MA_ACME/rollback", body: "{}")
        #expect(nothingToRollBack.type == "conflict", "\(nothingToRollBack.raw)")
        let unknown = try Self.call(d, "POST", "/v1/admin/credentials/MA_NOPE/rotate", body: #"{"token":"\#(newToken)"}"#)
        #expect(unknown.type == "unknown_credential", "\(unknown.raw)")
        #expect(try Self.books(d) == before, "refused changes changed nothing")

        let rotated = try Self.call(d, "POST", "/v1/admin/credentials/MA_ACME/rotate", body: #"{"token":"\#(newToken)","reason":"scheduled","grace":"1d"}"#)
        #expect(rotated.status == 200 && rotated.json["version"] as? Int == 2 && rotated.json["previous_version"] as? Int == 1, "\(rotated.raw)")
        #expect(!rotated.raw.contains(d.s.canary))
        // The sealed headers now carry the new version.
        let h = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        #expect((h["credential"] as? [String: Any])?["version"] as? Int == 2, "\(h)")
        let back = try Self.call(d, "POST", "/v1/admin/credentials/MA_ACME/rollback", body: #"{"reason":"bad deploy"}"#)
        #expect(back.status == 200 && back.json["version"] as? Int == 1, "\(back.raw)")
        let edited = try Self.call(d, "POST", "/v1/admin/credentials/MA_BETA/edit", body: #"{"label":"Beta Ltd","max_age":"30d"}"#)
        #expect(edited.json["label"] as? String == "Beta Ltd" && (edited.json["rotation"] as? [String: Any])?["max_age"] as? String == "30d",
                "\(edited.raw)")
        let revoked = try Self.call(d, "POST", "/v1/admin/credentials/MA_BETA/revoke", body: #"{"compromised":true,"reason":"leaked"}"#)
        #expect(revoked.status == 200 && revoked.json["state"] as? String == "compromised", "\(revoked.raw)")
        // Each change is audited as the admin peer.
        usleep(200_000)
        let ops = try d.auditJSON().map { $0["op"] as? String ?? "" }
        #expect(["rotate", "rollback", "edit", "revoke"].allSatisfy(ops.contains), "\(ops)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func importTakesTheImportFormatsAllOrNothing() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let (one, two) = (d.s.token("new-one"), d.s.token("new-two"))
        for t in [one, two] { SuiteSweep.canary("token", t) }
        let before = try Self.books(d)
        let broken = try Self.call(d, "POST", "/v1/admin/import", body: #"[{"auth_id":"MA_NEWONE","auth_token":"\#(one)"},{"auth_id":"nope","auth_token":"\#(two)"}]"#)
        #expect(broken.type == "bad_request" && !broken.raw.contains(d.s.canary), "\(broken.raw)")
        let wrongFormat = try Self.call(d, "POST", "/v1/admin/import?format=xml", body: "x")
        #expect(wrongFormat.type == "bad_request", "\(wrongFormat.raw)")
        #expect(try Self.books(d) == before, "a refused import imports nothing")
        let json = try Self.call(d, "POST", "/v1/admin/import", body: #"{"auth_id":"MA_NEWONE","auth_token":"\#(one)","label":"One"}"#)
        #expect(json.status == 200 && (json.json["imported"] as? [[String: Any]])?.first?["auth_id"] as? String == "MA_NEWONE", "\(json.raw)")
        let csv = try Self.call(d, "POST", "/v1/admin/import", body: "MA_NEWTWO,\(two),Two\n", contentType: "text/csv")
        #expect(csv.status == 200 && (csv.json["imported"] as? [[String: Any]])?.count == 1, "\(csv.raw)")
        let list = try Self.call(d, "GET", "/v1/admin/credentials")
        #expect((list.json["credentials"] as? [[String: Any]])?.count == 6, "\(list.raw)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// The CLI against a running daemon goes through the typed endpoints; a refusal reads as
    /// it does offline.
    @Test func theCLIRotatesThroughTheTypedAPI() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let newToken = d.s.token("cli-two")
        SuiteSweep.canary("token", newToken)
        let r = try d.s.vv(["rotate", "MA_ACME", "--json"] + d.cfg, stdin: newToken)
        #expect(r.code == 0 && r.out.contains("\"version\" : 2"), "\(r.all)")
        let again = try d.s.vv(["rotate", "MA_ACME"] + d.cfg, stdin: newToken)
        #expect(again.code == 1 && again.err.contains("is the one already active"), "\(again.all)")
        let log = d.log()
        #expect(!log.contains(d.s.canary))
        #expect(try d.s.canaryHits().isEmpty)
    }
}

/// Findings of a hostile review of the admin API, each reproduced as it was found.
@Suite(.serialized) struct AdminAPIHostileInputTests {
    /// A token Vobiz would never issue (a CR LF and a header after it), rotated with `verify`:
    /// refused for its form before anything is sent, so no HTTP library's error can repeat it.
    @Test func aMalformedTokenIsRefusedBeforeItIsVerified() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { d.stop(); mock.stop() }
        let token = d.s.token("verify-me")
        SuiteSweep.canary("token", token)
        let before = try mock.requests().count
        let r = try AdminAPITests.call(d, "POST", "/v1/admin/credentials/MA_BETA/rotate",
                                       body: #"{"token":"\#(token)\r\nX-Injected: yes","verify":true}"#)
        #expect(r.type == "bad_request" && !r.raw.contains(d.s.canary), "\(r.raw.replacingOccurrences(of: d.s.canary, with: "…"))")
        #expect(try mock.requests().count == before, "nothing may reach the upstream")
        usleep(200_000)
        #expect(try d.auditJSON().allSatisfy { $0["op"] as? String != "rotate-verify" }, "no verification happened")
        // The CLI, through the daemon and on its own, says the same without the token.
        let cli = try d.s.vv(["rotate", "MA_BETA", "--verify"] + d.cfg, stdin: token + "\u{1}")
        #expect(cli.code == 1 && !cli.all.contains(d.s.canary), "\(cli.all.replacingOccurrences(of: d.s.canary, with: "…"))")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// A reason is printed by `show` and `audit tail`: a newline and an escape in it would forge
    /// a line on an operator's terminal; a megabyte of it would weigh on every answer after.
    @Test func reasonsAreHeldToTheLabelsRules() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let forged = #"{"reason":"oops\n2026-12-04T13:20:00Z  #99  rotate  ok  MA_ACME v9\u001b[2K"}"#
        let long = #"{"reason":""# + String(repeating: "x", count: 201) + #""}"#
        for body in [forged, long] {
            let r = try AdminAPITests.call(d, "POST", "/v1/admin/credentials/MA_ACME/revoke", body: body)
            #expect(r.type == "bad_request" && (r.json["detail"] as? String)?.hasPrefix("invalid reason") == true, "\(r.raw)")
        }
        let show = try AdminAPITests.call(d, "GET", "/v1/admin/credentials/MA_ACME")
        #expect(show.json["state"] as? String == "active", "a refused revoke revoked nothing: \(show.raw)")
    }

    /// Revoking a compromised credential again (without saying compromised) must not forget the
    /// compromise: the next rotation still destroys the leaked version at once.
    @Test func revokingAgainKeepsACompromise() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        _ = try AdminAPITests.call(d, "POST", "/v1/admin/credentials/MA_ACME/revoke", body: #"{"compromised":true}"#)
        let again = try AdminAPITests.call(d, "POST", "/v1/admin/credentials/MA_ACME/revoke", body: "{}")
        #expect(again.json["state"] as? String == "compromised", "\(again.raw)")
        let token = d.s.token("after-leak")
        SuiteSweep.canary("token", token)
        let rotated = try AdminAPITests.call(d, "POST", "/v1/admin/credentials/MA_ACME/rotate", body: #"{"token":"\#(token)"}"#)
        #expect(rotated.status == 200 && rotated.json["previous_version"] is NSNull, "the leaked version is destroyed at once: \(rotated.raw)")
    }
}
