import Foundation
import NIOCore
import Testing
@testable import VaultCore
@testable import VaultServer

/// A listing page the admin API assembles from rows encoded in two halves is exactly what
/// encoding the whole page gives, and splits back into its rows.
@Suite struct AdminPageTests {
    static func view(_ i: Int) -> AuditEventView {
        AuditEventView(AuditEvent(seq: Int64(i), atMillis: Int64(i) * 1000, actor: ActorIdentity(uid: 7, user: "o\"p"), op: "import",
                                  authID: "MA_\(i)", version: 1, outcome: .ok, reason: i % 2 == 0 ? nil : "a, [b]", detail: nil),
                       withMACs: false)
    }

    @Test(arguments: [0, 1, 2, 3, 1000]) func halvesJoinToTheWholePage(_ n: Int) async throws {
        let rows = (1...max(1, n)).prefix(n).map(Self.view)
        for next: Int64? in [nil, 42] {
            let response = await AdminAPI.page("events", rows, next: next.map(String.init) ?? "null")
            let text = String(buffer: response.body)
            #expect(text == AdminJSON.encode(AuditPage(events: rows, next: next), pretty: false) + "\n")
            let split = try #require(EncodedPage(answer: Array(text.utf8), key: "events"))
            #expect(split.rows.count == n && split.next == next.map(String.init))
        }
    }
}
