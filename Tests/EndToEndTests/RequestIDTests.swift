import Foundation
import Testing

/// Every answer carries the id of its request (`X-Vault-Request-Id`, and `request_id` in a problem
/// body or a headers answer), and the audit row of that request names the same id.
@Suite struct RequestIDTests {
    /// `curl -i`: the status, the X-Vault-Request-Id header and the body.
    static func ask(_ d: DaemonHarness, _ args: [String], socket: String? = nil) throws -> (status: Int, id: String?, body: [String: Any]) {
        let raw = try d.curl(["-i"] + args, socket: socket)
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let id = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-vault-request-id:") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, id, ProxyTests.json(parts.dropFirst().joined(separator: "\r\n\r\n")))
    }

    static func auditRow(_ d: DaemonHarness, id: String) throws -> [String: Any]? {
        try d.auditJSON().first { ($0["detail"] as? [String: Any])?["request_id"] as? String == id }
    }

    @Test func answersProblemsAndAuditRowsNameTheSameRequest() throws {
        let (d, mock) = try ProxyTests.vault()
        defer { withExtendedLifetime((d, mock)) {} }
        // An answer: the header, the body's request_id and the audit row agree.
        let ok = try Self.ask(d, ["-d", #"{"method":"GET","url":"\#(mock.origin)/api/v1/Account/MA_ACME/Call/"}"#, "http://v/v1/headers"])
        let okID = try #require(ok.id)
        #expect(ok.status == 200 && ok.body["request_id"] as? String == okID && okID.count == 16, "\(ok)")
        #expect(try Self.auditRow(d, id: okID)?["outcome"] as? String == "ok")
        // A refusal: the problem body carries it too.
        let refused = try Self.ask(d, ["-d", #"{"method":"GET","url":"\#(mock.origin)/api/v1/Account/MA_NOPE/Call/"}"#, "http://v/v1/headers"])
        let refusedID = try #require(refused.id)
        #expect(refused.status == 404 && refused.body["request_id"] as? String == refusedID && refusedID != okID, "\(refused)")
        #expect(try Self.auditRow(d, id: refusedID)?["outcome"] as? String == "refused")
        // A proxied call: Vobiz's answer goes back with the vault's id, which its row names.
        let proxied = try Self.ask(d, ["http://v/v1/proxy/api/v1/Account/MA_ACME/Call/"])
        let proxiedID = try #require(proxied.id)
        let proxiedRow = try Self.auditRow(d, id: proxiedID)
        let lastRows = try d.auditJSON().suffix(2)
        #expect(proxied.status == 200 && proxiedRow != nil, "\(proxied) \(lastRows)")
        // Health and the admin socket answer with an id as well.
        #expect(try Self.ask(d, ["http://v/v1/health"]).id?.count == 16)
        #expect(try Self.ask(d, ["http://v/v1/admin/status"], socket: d.admin).id?.count == 16)
    }
}
