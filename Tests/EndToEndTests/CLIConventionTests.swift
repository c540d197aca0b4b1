import Foundation
import Testing

/// Exit codes that tell a negative answer (1) from a failure to answer (2), input files given
/// as `-` for standard input, and JSON with sorted keys (Docs/cli.md).
@Suite struct CLIConventionTests {
    @Test func auditVerifyTellsABrokenChainFromAKeyThatDoesNotOpenTheVault() throws {
        let s = try AuditTamperTests().vault()
        #expect(try s.vv(["audit", "verify"] + s.keyed).code == 0)
        let other = s.root + "/other"
        #expect(try s.vv(["init", "--state-dir", other, "--key-file", other + ".key"]).code == 0)
        let wrong = try s.vv(["audit", "verify", "--state-dir", s.state, "--key-file", other + ".key"])
        #expect(wrong.code == 2 && wrong.err.contains("master key does not open this vault"), "\(wrong.all)")
        let missing = try s.vv(["audit", "verify", "--state-dir", s.root + "/nowhere", "--key-file", s.key])
        #expect(missing.code == 2, "\(missing.all)")
        try AuditTamperTests().tamper(s, "UPDATE audit_events SET reason = 'edited' WHERE seq = 3")
        #expect(try s.vv(["audit", "verify"] + s.keyed).code == 1)
    }

    @Test func inputFilesTakeADashForStandardInput() throws {
        let s = try Scratch()
        #expect(try s.vv(["init"] + s.keyed).code == 0)
        let imported = try s.vv(["import", "--file", "-", "--json"] + s.keyed, stdin: #"{"auth_id":"MA_DASH","auth_token":"\#(s.token("dash-1"))"}"#)
        #expect(imported.code == 0 && imported.out.contains("MA_DASH"), "\(imported.all)")
        let rotated = try s.vv(["rotate", "MA_DASH", "--token-file", "-"] + s.keyed, stdin: s.token("dash-2") + "\n")
        #expect(rotated.code == 0, "\(rotated.all)")
        let shown = try s.vv(["show", "MA_DASH", "--json"] + s.keyed)
        #expect(shown.out.contains("\"version\" : 2") || shown.out.contains("\"version\":2"), "\(shown.out)")
        // A passphrase vault opened with its passphrase from standard input.
        let p = try Scratch()
        let made = try p.vv(["init", "--passphrase", "--state-dir", p.state, "--passphrase-file", "-"], stdin: "correct horse battery staple\n")
        #expect(made.code == 0, "\(made.all)")
        let opened = try p.vv(["audit", "verify", "--state-dir", p.state, "--passphrase-file", "-"], stdin: "correct horse battery staple\n")
        #expect(opened.code == 0, "\(opened.all)")
        let wrong = try p.vv(["audit", "verify", "--state-dir", p.state, "--passphrase-file", "-"], stdin: "wrong\n")
        #expect(wrong.code == 2, "\(wrong.all)")
        #expect(try s.canaryHits().isEmpty && p.canaryHits().isEmpty)
    }

    @Test func headersBindAStandardInputBodyAndPrintSortedKeys() throws {
        let (d, mock) = try HeadersOutputTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        let url = mock.origin + "/api/v1/Account/MA_ACME/Call/"
        let body = #"{"from":"+15550001","to":"+15550002","answer_url":"https://example.com/a"}"#
        let bodyFile = d.s.root + "/body.json"
        try body.write(toFile: bodyFile, atomically: true, encoding: .utf8)
        // Headers sealed over a body read from standard input, sent by curl with the same bytes
        // through the proxy: accepted, so the digest bound is the body's.
        let sealed = try d.s.vv(["headers", "POST", url, "--body-file", "-", "--format", "curl"] + d.cfg, stdin: body)
        #expect(sealed.code == 0, "\(sealed.all)")
        let headerFile = d.s.root + "/sealed.h"
        try sealed.out.write(toFile: headerFile, atomically: true, encoding: .utf8)
        let (status, answer) = try HeadersOutputTests.curl(headerFile, ["--unix-socket", d.client, "--data-binary", "@" + bodyFile,
                                                                         "http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        #expect(status == 201, "\(answer)")
        // --format json: compact, every object's keys sorted.
        let json = try d.s.vv(["headers", "GET", url, "--format", "json"] + d.cfg)
        let text = json.out.trimmingCharacters(in: .newlines)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let sorted = String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        #expect(json.code == 0 && text == sorted && text.hasPrefix(#"{"credential":{"auth_id":"MA_ACME","#), "\(json.out)")
        #expect(try d.s.canaryHits().isEmpty)
    }
}
