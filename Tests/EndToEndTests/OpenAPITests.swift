import Foundation
import Testing
import VaultTestSupport

/// Docs/openapi.yaml is true: every documented operation on both sockets is called on a real
/// daemon (with a loopback mock of Vobiz upstream), answers with a documented status, and its
/// body matches the documented schema, field for field.
@Suite(.serialized) struct OpenAPITests {
    struct Probe: Encodable {
        let socket: String
        let method: String
        let path: String
        var body: String?
        var content_type: String?
        let status: Int
    }

    @Test func everyDocumentedRouteAnswersAsDocumented() throws {
        let grants = """
            [[grant]]
            name = "app"
            uid = 0
            credentials = ["partner", "MA_*"]
            operations = ["headers", "proxy", "jwt", "verify_callback"]
            """
        let (d, mock) = try ProxyTests.vault(grants: grants)
        defer { d.stop(); mock.stop() }
        let (c, a) = (d.client, d.admin)
        let fresh = d.s.token("openapi-new"), rotated = d.s.token("openapi-rotated"), unverified = d.s.token("openapi-unverified")
        let caught = d.s.token("openapi-caught"), password = d.s.token("openapi-password")
        for t in [fresh, rotated, unverified, caught] { SuiteSweep.canary("token", t) }
        SuiteSweep.canary("password", password)
        let acme = mock.origin + "/api/v1/Account/MA_ACME/Call/"
        func probe(_ socket: String, _ method: String, _ path: String, _ body: String? = nil, _ status: Int, csv: Bool = false) -> Probe {
            Probe(socket: socket, method: method, path: path, body: body, content_type: csv ? "text/csv" : nil, status: status)
        }
        let callback = #"{"credential":"MA_ACME","method":"POST","url":"https://app.example/cb","params":{},"headers":{"X-Vobiz-Signature-V3":"AAAA","X-Vobiz-Signature-V3-Nonce":"n-1"}}"#
        let probes = [
            probe(c, "POST", "/v1/headers", #"{"method":"GET","url":"\#(acme)"}"#, 200),
            probe(c, "POST", "/v1/headers", "{", 400),
            probe(c, "POST", "/v1/headers", #"{"method":"GET","url":"\#(mock.origin)/api/v1/Account/MA_GONE/Call/"}"#, 403),
            probe(c, "POST", "/v1/headers", #"{"method":"GET","url":"\#(mock.origin)/api/v1/Account/MA_NOPE/Call/"}"#, 404),
            probe(c, "GET", "/v1/keys", nil, 200),
            probe(c, "GET", "/v1/health", nil, 200),
            probe(c, "POST", "/v1/jwt", "{}", 502),
            probe(c, "POST", "/v1/jwt", #"{"colour":"red"}"#, 400),
            probe(c, "POST", "/v1/callbacks/verify", callback, 200),
            probe(c, "POST", "/v1/callbacks/verify", #"{"credential":"MA_ACME"}"#, 400),
            probe(c, "GET", "/v1/proxy/api/v1/Account/MA_ACME/", nil, 200),
            probe(c, "GET", "/v1/proxy/api/v1/Account/MA_NOPE/", nil, 404),
            probe(c, "POST", "/v1/exec", #"{"credential":"MA_ACME"}"#, 201),
            probe(c, "POST", "/v1/exec", #"{"credential":"MA_NOPE"}"#, 404),
            probe(c, "POST", "/v1/exec", "{}", 400),
            probe(c, "POST", "/v1/exec/0123456789abcdef01234567/child", #"{"pid":1}"#, 404),
            probe(c, "POST", "/v1/exec/0123456789abcdef01234567/child", #"{"pid":0}"#, 400),
            probe(c, "DELETE", "/v1/exec/0123456789abcdef01234567", nil, 404),
            probe(a, "GET", "/metrics", nil, 200),
            probe(a, "GET", "/v1/health", nil, 200),
            probe(a, "GET", "/v1/admin/status", nil, 200),
            probe(a, "GET", "/v1/admin/credentials", nil, 200),
            probe(a, "GET", "/v1/admin/credentials/MA_ACME", nil, 200),
            probe(a, "GET", "/v1/admin/credentials/partner", nil, 200),
            probe(a, "GET", "/v1/admin/credentials/MA_NOPE", nil, 404),
            probe(a, "GET", "/v1/admin/credentials/not-an-id", nil, 400),
            probe(a, "GET", "/v1/admin/due?within=100d", nil, 200),
            probe(a, "GET", "/v1/admin/due?within=soon", nil, 400),
            probe(a, "GET", "/v1/admin/audit?limit=3", nil, 200),
            probe(a, "GET", "/v1/admin/audit?after=1&limit=2", nil, 200),
            probe(a, "GET", "/v1/admin/audit?limit=0", nil, 400),
            probe(a, "GET", "/v1/admin/audit/verify", nil, 200),
            probe(a, "GET", "/v1/admin/remind", nil, 200),
            probe(a, "POST", "/v1/admin/policy/check", #"{"uid":0,"method":"GET","url":"\#(acme)"}"#, 200),
            probe(a, "POST", "/v1/admin/policy/check", #"{"uid":0,"method":"GET","url":"\#(mock.origin)/api/v1/Account/MA_ACME/../x"}"#, 400),
            probe(a, "POST", "/v1/admin/policy/check", #"{"method":"GET","url":"\#(acme)"}"#, 400),
            probe(a, "POST", "/v1/admin/unseal", #"{"passphrase":"\#(password)"}"#, 200),
            probe(a, "POST", "/v1/admin/unseal", "{}", 400),
            probe(a, "POST", "/v1/admin/import", #"{"auth_id":"MA_OPENAPI","auth_token":"\#(fresh)"}"#, 200),
            probe(a, "POST", "/v1/admin/import", "MA_CSV,\(fresh)x,From CSV\n", 200, csv: true),
            probe(a, "POST", "/v1/admin/import", #"{"auth_id":"MA_OPENAPI","auth_token":"\#(rotated)"}"#, 409),
            probe(a, "POST", "/v1/admin/import", "[{]", 400),
            probe(a, "POST", "/v1/admin/capture", #"{"auth_id":"MA_CAUGHT","auth_token":"\#(caught)","name":"Caught"}"#, 200),
            probe(a, "POST", "/v1/admin/capture", #"{"auth_id":"PA_OTHER","auth_token":"\#(caught)x"}"#, 400),
            probe(a, "POST", "/v1/admin/capture", #"{"auth_id":"MA_CAUGHT","auth_token":"\#(caught)y"}"#, 409),
            probe(a, "POST", "/v1/admin/login-credentials/partner", #"{"email":"ops@example.com","password":"\#(password)"}"#, 200),
            probe(a, "POST", "/v1/admin/login-credentials/partner", #"{"email":"ops@example.com"}"#, 400),
            probe(a, "POST", "/v1/admin/login-credentials/MA_NOPE", #"{"email":"a@b.c","password":"\#(password)"}"#, 404),
            probe(a, "GET", "/v1/admin/jwt", nil, 200),
            probe(a, "POST", "/v1/admin/jwt/partner/login", nil, 502),
            probe(a, "POST", "/v1/admin/jwt/MA_ACME/login", nil, 400),
            probe(a, "POST", "/v1/admin/jwt/partner/forget", nil, 200),
            probe(a, "POST", "/v1/admin/jwt/PA_NOPE/forget", nil, 404),
            probe(a, "POST", "/v1/admin/login-credentials/partner/forget", nil, 200),
            probe(a, "POST", "/v1/admin/login-credentials/MA_NOPE/forget", nil, 404),
            probe(a, "POST", "/v1/admin/login-credentials/partner/forget", #"{"x":1}"#, 400),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rotate", #"{"token":"\#(rotated)","grace":"1d"}"#, 200),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rotate", #"{"token":"\#(rotated)"}"#, 409),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rotate", #"{"token":"\#(unverified)","verify":true}"#, 422),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rotate", #"{"token":1}"#, 400),
            probe(a, "POST", "/v1/admin/credentials/MA_NOPE/rotate", #"{"token":"\#(unverified)"}"#, 404),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rollback", #"{"reason":"probe"}"#, 200),
            probe(a, "POST", "/v1/admin/credentials/MA_BETA/rollback", nil, 409),
            probe(a, "POST", "/v1/admin/credentials/MA_ACME/rollback", #"{"why":"x"}"#, 400),
            probe(a, "POST", "/v1/admin/credentials/MA_NOPE/rollback", nil, 404),
            probe(a, "POST", "/v1/admin/credentials/MA_BETA/edit", #"{"label":"Beta","warn":"3d"}"#, 200),
            probe(a, "POST", "/v1/admin/credentials/MA_BETA/edit", "{}", 400),
            probe(a, "POST", "/v1/admin/credentials/MA_NOPE/edit", #"{"label":"x"}"#, 404),
            probe(a, "POST", "/v1/admin/credentials/MA_BETA/revoke", #"{"compromised":true}"#, 200),
            probe(a, "POST", "/v1/admin/credentials/MA_BETA/revoke", #"{"compromised":1}"#, 400),
            probe(a, "POST", "/v1/admin/credentials/MA_NOPE/revoke", nil, 404),
            // A vault of its own is no fleet: its fleet endpoints refuse (fleetRoutes… below).
            probe(a, "GET", "/v1/admin/fleet", nil, 400),
            probe(a, "POST", "/v1/admin/fleet/host-x/admit", #"{"fingerprint":"0000-0000-0000-0000-0000-0000-0000-0000"}"#, 400),
            probe(a, "POST", "/v1/admin/fleet/host-x/admit", "{}", 400),
            probe(a, "POST", "/v1/admin/fleet/host-x/remove", "{}", 400),
            probe(a, "POST", "/v1/admin/reload", "{}", 200),
            probe(a, "POST", "/v1/admin/reload", #"{"now":true}"#, 400),
        ]
        let r = try Self.check(d, probes)
        #expect(r["probes"] as? Int == probes.count, "\(r)")
        #expect((r["failures"] as? [String])?.isEmpty == true, "\(r["failures"] ?? r)")
        #expect((r["uncovered"] as? [String])?.isEmpty == true, "\(r["uncovered"] ?? r)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// The fleet endpoints on a fleet's host: a third host asks to join, and the probes list the
    /// fleet, admit it with the fingerprint it printed (after a wrong one), and remove a member.
    @Test func fleetRoutesAnswerAsDocumented() throws {
        let fleet = try FleetHarness(count: 2)
        let a = fleet.hosts[0]
        try fleet.startAll()
        let joiner = try DaemonHarness(extra: fleet.store("host-c"), seed: false)
        let joining = try Binary.start(["fleet", "join", "--wait", "60s"] + joiner.cfg)
        let out = Binary.Drain(joining.out), err = Binary.Drain(joining.err)
        let fingerprint = try FleetHarness.waitForRequest(joiner, name: "host-c", member: a)
        let wrong = fingerprint.hasPrefix("0000") ? "1111-1111-1111-1111-1111-1111-1111-1111" : "0000-0000-0000-0000-0000-0000-0000-0000"
        func probe(_ method: String, _ path: String, _ body: String? = nil, _ status: Int) -> Probe {
            Probe(socket: a.admin, method: method, path: path, body: body, status: status)
        }
        let probes = [
            probe("GET", "/v1/admin/fleet", nil, 200),
            probe("POST", "/v1/admin/fleet/host-c/admit", #"{"fingerprint":"\#(wrong)"}"#, 400),
            probe("POST", "/v1/admin/fleet/host-c/admit", #"{"fingerprint":"\#(fingerprint)"}"#, 200),
            probe("POST", "/v1/admin/fleet/host-b/admit", #"{"fingerprint":"\#(fingerprint)"}"#, 409),
            probe("POST", "/v1/admin/fleet/host-z/admit", #"{"fingerprint":"\#(fingerprint)"}"#, 404),
            probe("POST", "/v1/admin/fleet/host-b/remove", "{}", 200),
            probe("POST", "/v1/admin/fleet/host-b/remove", nil, 404),
            probe("GET", "/v1/admin/fleet", nil, 200),
        ]
        let r = try Self.check(a, probes, only: "/v1/admin/fleet")
        #expect(r["probes"] as? Int == probes.count, "\(r)")
        #expect((r["failures"] as? [String])?.isEmpty == true, "\(r["failures"] ?? r)")
        #expect((r["uncovered"] as? [String])?.isEmpty == true, "\(r["uncovered"] ?? r)")
        joining.process.waitUntilExit()
        joiner.s.captured.append(String(decoding: out.data(), as: UTF8.self) + String(decoding: err.data(), as: UTF8.self))
        #expect(joining.process.terminationStatus == 0, "admitted through the API, the join takes the key")
    }

    /// Runs Tests/python/openapi_check.py on `probes` against Docs/openapi.yaml (its operations
    /// under `only`, when given).
    static func check(_ d: DaemonHarness, _ probes: [Probe], only: String? = nil) throws -> [String: Any] {
        let file = d.s.root + "/probes.json"
        try JSONEncoder().encode(probes).write(to: URL(fileURLWithPath: file))
        SuiteSweep.input(file)
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/openapi.yaml").path
        return try d.python("openapi_check.py", [spec, file] + (only.map { [$0] } ?? []))
    }
}
