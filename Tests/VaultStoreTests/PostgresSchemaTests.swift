import Foundation
import Testing
import VaultCore
@testable import VaultStore
import VaultTestSupport

/// The schema's own refusals, met the way a writer with direct access to the database would
/// meet them: with SQL, not through the store.
@Suite struct PostgresSchemaTests {
    @Test func anAuditRowNamesAHostWithinTheHostRuleOrNone() throws {
        let cluster = try PostgresCluster.shared
        let db = try cluster.createDatabase()
        let url = PostgresURL(endpoint: .socket(directory: cluster.socketDirectory, port: cluster.port), user: cluster.superuser, database: db)
        let store = PostgresStore.connect(PostgresSettings(url: url, password: nil, host: "host-a"))
        try store.migrate()
        func insert(_ seq: Int, host: String?) throws {
            let mac = "decode(repeat('ab', 32), 'hex')"
            try cluster.psql("""
                INSERT INTO audit_events (seq, at_ms, op, outcome, prev_mac, mac, host)
                VALUES (\(seq), 1, 'op', 'ok', \(mac), \(mac), \(host.map { "'\($0)'" } ?? "NULL"))
                """, database: db)
        }
        let refused = ["bad host", "", String(repeating: "a", count: 65), "a/b", "é", "a;b", "host\\n", "-_.a"]
        for (i, host) in refused.dropLast().enumerated() {
            #expect(throws: (any Error).self, "host \(host.debugDescription)") { try insert(i + 1, host: host) }
        }
        try insert(100, host: "host-A.b_c-9")
        try insert(101, host: String(repeating: "z", count: 64))
        try insert(102, host: "-_.a")
        try insert(103, host: nil)
        #expect(try cluster.psql("SELECT count(*) FROM audit_events", database: db) == "4")
    }
}
