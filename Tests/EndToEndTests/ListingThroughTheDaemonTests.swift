import Foundation
import Testing
import VaultTestSupport

/// Listings of more credentials than a page holds, through a running daemon with the real CLI
/// and curl: every credential once, in order, across page boundaries; `--json` one document
/// written as it goes; bad cursors refused; `/metrics` the same size whatever the vault holds.
@Suite(.serialized) struct ListingThroughTheDaemonTests {
    static let bulk = 2_345

    static func harness() throws -> DaemonHarness {
        let d = try DaemonHarness()
        SuiteSweep.canary("token", d.s.token(""))
        let records = (0..<bulk).map { #"{"auth_id":"MA_BULK\#(String(format: "%05d", $0))","auth_token":"\#(d.s.token("bulk\($0)"))"}"# }
        let path = d.s.root + "/bulk.json"
        FileManager.default.createFile(atPath: path, contents: Data(("[" + records.joined(separator: ",") + "]").utf8),
                                       attributes: [.posixPermissions: 0o600])
        SuiteSweep.input(path)
        let imported = try d.s.vv(["import", "--file", path] + d.cfg)
        #expect(imported.code == 0, "\(imported.err)")
        try FileManager.default.removeItem(atPath: path)
        try d.start()
        return d
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theCLIListsEveryCredentialOnceAcrossPages() throws {
        let d = try Self.harness()
        defer { d.stop() }
        let all = Self.bulk + 4
        let list = try d.s.vv(["list", "--json"] + d.cfg)
        #expect(list.code == 0, "\(list.err)")
        let ids = try #require(try Self.json(list.out)["credentials"] as? [[String: Any]]).compactMap { $0["auth_id"] as? String }
        #expect(ids.count == all && Set(ids).count == all && ids.first == "PA_MAIN" && Array(ids.dropFirst()) == ids.dropFirst().sorted())
        // One credential per line: the document reads line by line too.
        #expect(list.out.split(separator: "\n").count == all + 2)
        let table = try d.s.vv(["list"] + d.cfg)
        #expect(table.code == 0 && table.out.split(separator: "\n").count == all + 1, "\(table.err)")

        let due = try d.s.vv(["due", "--within", "3650d", "--json"] + d.cfg)
        let items = try #require(try Self.json(due.out)["due"] as? [[String: Any]])
        let keys = items.compactMap { i in (i["due_at"] as? String).flatMap { at in (i["auth_id"] as? String).map { (at, $0) } } }
        #expect(keys.count == all && Set(keys.map(\.1)).count == all)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }, "most urgent first, then by auth id")
        let nothing = try d.s.vv(["due", "--json"] + d.cfg)
        #expect(try Self.json(nothing.out)["due"] as? [Any] != nil && (try Self.json(nothing.out)["due"] as? [Any])?.isEmpty == true)

        let tail = try d.s.vv(["audit", "tail", "-n", "2000", "--json"] + d.cfg)
        let seqs = try #require(try Self.json(tail.out)["events"] as? [[String: Any]]).compactMap { $0["seq"] as? Int }
        #expect(seqs.count == 2_000 && seqs.first ?? 0 > 300 && zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(seqs.prefix(3))")
        let short = try d.s.vv(["audit", "tail", "-n", "3"] + d.cfg)
        #expect(short.out.split(separator: "\n").count == 3, "\(short.out)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func theAPIPagesWithCursorsAndRefusesOnesItDidNotGive() throws {
        let d = try Self.harness()
        defer { d.stop() }
        var seen: [String] = [], after: String?, pages = 0
        repeat {
            let body = try d.curl(["http://v/v1/admin/credentials?limit=1000" + (after.map { "&after=" + $0 } ?? "")], socket: d.admin)
            let page = try Self.json(body)
            let ids = try #require(page["credentials"] as? [[String: Any]]).compactMap { $0["auth_id"] as? String }
            #expect(ids.count <= 1000)
            seen += ids
            after = page["next"] as? String
            pages += 1
        } while after != nil && pages < 10
        #expect(pages == 3 && seen.count == Self.bulk + 4 && Set(seen).count == seen.count)
        let duePage = try Self.json(try d.curl(["http://v/v1/admin/due?within=3650d&limit=1000"], socket: d.admin))
        let cursor = try #require(duePage["next"] as? String)
        let second = try Self.json(try d.curl(["http://v/v1/admin/due?within=3650d&limit=1000&after=" + cursor], socket: d.admin))
        let first = (duePage["due"] as? [[String: Any]])?.compactMap { $0["auth_id"] as? String } ?? []
        let next = (second["due"] as? [[String: Any]])?.compactMap { $0["auth_id"] as? String } ?? []
        #expect(first.count == 1000 && next.count == 1000 && Set(first).isDisjoint(with: next))
        for bad in ["credentials?after=MA_", "credentials?after=MA_X%00", "credentials?limit=-1", "due?after=1:MA_X:2", "due?after=%31:MA_X"] {
            let p = try Self.json(try d.curl(["http://v/v1/admin/" + bad], socket: d.admin))
            #expect(p["type"] as? String != nil && (p["type"] as? String)?.hasSuffix("bad_request") == true, "\(bad): \(p)")
        }
        // The scrape holds no series per customer: counts per standing instead.
        let metrics = try d.curl(["http://v/metrics"], socket: d.admin)
        #expect(metrics.contains("vobiz_vault_rotation{standing=\"ok\"} \(Self.bulk + 3)"), "\(metrics)")
        #expect(metrics.contains("vobiz_vault_rotation{standing=\"revoked\"} 1"))
        #expect(!metrics.contains("MA_") && metrics.split(separator: "\n").count < 200, "\(metrics.split(separator: "\n").count) lines")
        #expect(try d.s.canaryHits().isEmpty)
    }
}
