import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

/// Costs that must not grow with the number of credentials the vault holds: opening it, the
/// first request after opening (each credential is read alone, on first use), and a page of the
/// listing. Each is timed on a vault of 200 customers and one of 20,000; the larger may be a
/// small factor slower (caches, a deeper index), never a hundred times, as a cost proportional
/// to the vault would make it.
@Suite(.serialized) struct ScaleTests {
    static let caller = Caller(uid: 1000, gid: 1000, pid: 4242, user: "app", groups: [], exe: "/usr/bin/app", unit: nil, startTime: 1)

    struct Figures {
        var open: Duration
        var firstRequest: Duration
        var page: Duration
        var tally: Duration
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// A vault of `n` customers, reopened as the daemon opens it four times; each figure is the
    /// least of the last three, so that a moment taken by another suite is not what is compared.
    /// The first opening is not counted: it may pay once for what the import left (a checkpoint).
    static func measure(customers n: Int) async throws -> Figures {
        let f = try Fixture()
        var c = f.config
        c.grants = [try Grant(name: "app", uids: [1000], credentials: [.anyCustomer], operations: [.headers])]
        do {
            let v = try f.initialize()
            let records = (0..<n).map { (String(format: "MA_S%06d", $0), f.token(String($0)), nil as String?) }
            let summary = try await f.importJSON(v, records)
            #expect(summary.imported.count == n)
        }
        var best: Figures?
        for round in 0..<4 {
            let figures = try await Self.openAndUse(c, f, customers: n, round: round)
            guard round > 0 else { continue }
            best = best.map { Figures(open: min($0.open, figures.open), firstRequest: min($0.firstRequest, figures.firstRequest),
                                      page: min($0.page, figures.page), tally: min($0.tally, figures.tally)) } ?? figures
        }
        return try #require(best)
    }

    /// Opens the vault, then times a request for a credential not read yet, a page and the tally.
    static func openAndUse(_ c: VaultConfig, _ f: Fixture, customers n: Int, round: Int) async throws -> Figures {
        let clock = ContinuousClock()
        var v: VaultService?
        let open = try clock.measure { v = try VaultService.open(config: c, unlock: { _ in .key(f.key) }, clock: f.clock.source) }
        let vault = try #require(v)
        try await vault.prepareSigning(actor: f.actor)
        let id = String(format: "MA_S%06d", n / 2 + 1 + round)
        let request = HeadersRequest(method: "GET", url: "https://api.vobiz.ai/api/v1/Account/\(id)/Call/", credential: nil, bodySHA256: nil)
        let start = clock.now
        let issued = try await vault.issueHeaders(caller: caller, request: request)
        let first = clock.now - start
        #expect(issued.authID.rawValue == id && issued.mode == .sealed)
        let pageStart = clock.now
        let page = try await vault.credentialsPage(after: try AuthID(String(format: "MA_S%06d", n / 3)), limit: 100)
        let pageTime = clock.now - pageStart
        #expect(page.infos.count == 100)
        let tallyStart = clock.now
        let tally = try await vault.tally()
        let tallyTime = clock.now - tallyStart
        #expect(tally.rotation.count(.ok) == n)
        return Figures(open: open, firstRequest: first, page: pageTime, tally: tallyTime)
    }

    /// Timed on a thread of its own: the cooperative pool's threads are often held by the
    /// synchronous end-to-end tests running beside this one, and a continuation waiting for one
    /// of them would be what the figure measured.
    @Test func theFirstRequestAndAPageCostTheSameAt200And20000Customers() async throws {
        try await withTaskExecutorPreference(DedicatedExecutor.shared) {
            // The smaller vault twice, so that its figure is not the one that warmed the process up.
            _ = try await Self.measure(customers: 200)
            let small = try await Self.measure(customers: 200)
            let large = try await Self.measure(customers: 20_000)
            let report = "200: open \(small.open), first \(small.firstRequest), page \(small.page), tally \(small.tally); "
                + "20000: open \(large.open), first \(large.firstRequest), page \(large.page), tally \(large.tally)"
            print(report)
            // A factor of 5 plus 20 ms of slack for a loaded machine: a cost proportional to the
            // vault is 100 times larger here (seconds, not milliseconds).
            for (name, s, l) in [("open", small.open, large.open), ("first request", small.firstRequest, large.firstRequest),
                                 ("page", small.page, large.page)] {
                #expect(Self.seconds(l) <= 5 * Self.seconds(s) + 0.020, "\(name): \(report)")
            }
        }
    }
}

/// The credential cache holds what requests use; auth ids the vault does not hold, which any
/// client may send, are remembered apart and bounded, so they never push out one in use.
@Suite struct CredentialCacheTests {
    @Test func unknownIdsNeitherEvictNorGrowWithoutBound() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil), ("MA_B", f.token("b"), nil)])
        let probe = try await f.open().probeCache(unknown: 5_000)
        #expect(probe.first == "MA_A" && probe.afterUnknown == 1 && probe.absent <= CredentialCache.absentCapacity)
        #expect(probe.second == "MA_B" && probe.end == 2)
    }
}

extension VaultService {
    /// Reads MA_A, asks for `unknown` auth ids the vault does not hold, then reads MA_B.
    func probeCache(unknown: Int) throws -> (first: String?, afterUnknown: Int, absent: Int, second: String?, end: Int) {
        let first = try credentialCache.entry("MA_A", store: store)?.account.authID
        for i in 0..<unknown { _ = try credentialCache.entry("MA_NOPE\(i)", store: store) }
        let (afterUnknown, absent) = (credentialCache.count, credentialCache.absentCount)
        let second = try credentialCache.entry("MA_B", store: store)?.account.authID
        return (first, afterUnknown, absent, second, credentialCache.count)
    }
}
