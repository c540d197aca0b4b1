import Testing
@testable import VaultCore

/// The due listing and the metrics tally, computed in one pass over rotation inputs, against
/// the plain answer: every credential's schedule, filtered and sorted.
@Suite struct DueSelectionTests {
    static func inputs(_ n: Int, seed: UInt64) -> [RotationInput] {
        var g = seed
        func next(_ bound: Int64) -> Int64 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return Int64((g >> 33) % UInt64(bound))
        }
        return (0..<n).map { i in
            RotationInput(authID: "MA_\(next(1_000_000))X\(i)", state: next(9) == 0 ? .revoked : .active,
                          maxAge: next(4) == 0 ? 86_400 * (1 + next(120)) : nil, warn: next(5) == 0 ? 86_400 * next(30) : nil,
                          activatedAt: next(13) == 0 ? nil : 86_400 * next(200), rejected: next(17) == 0)
        }
    }

    static func plain(_ inputs: [RotationInput], now: Int64, window: TimeSpan?) -> [String] {
        inputs.compactMap { i in i.schedule(defaults: .standard, now: now, window: window).flatMap { $0.standing == .ok ? nil : (i, $0) } }
            .sorted { ($0.1.dueAt, $0.0.authID) < ($1.1.dueAt, $1.0.authID) }.map(\.0.authID)
    }

    @Test(arguments: [1, 7, 250, 5_000]) func pagesEqualTheWholeListingSorted(_ limit: Int) {
        let all = Self.inputs(3_000, seed: UInt64(limit))
        for (now, window) in [(Int64(86_400 * 100), nil), (86_400 * 150, TimeSpan.days(30)), (0, nil)] as [(Int64, TimeSpan?)] {
            var paged: [String] = [], after: DueSelection.Cursor?, pages = 0
            repeat {
                var s = DueSelection(defaults: .standard, now: now, window: window, after: after, limit: limit)
                all.forEach { s.add($0) }
                let page = s.finish()
                #expect(page.authIDs.count <= limit)
                paged += page.authIDs
                after = page.next
                // The cursor survives its text form, as it travels through the API.
                if let a = after { #expect(DueSelection.Cursor(a.text) == a) }
                pages += 1
            } while after != nil && pages < 10_000
            #expect(paged == Self.plain(all, now: now, window: window))
        }
    }

    @Test func cursorsThatAreNotOursAreRefused() {
        for bad in ["", ":", "12", "12:", ":MA_X", "x:MA_X", "12:NOPE", "-1:MA_X", "1:MA_X:2", "+1:MA_X"] {
            #expect(DueSelection.Cursor(bad) == nil, "\(bad)")
        }
    }

    @Test func theTallyCountsEachStandingAndTheSoonestDueDate() {
        let all = Self.inputs(2_000, seed: 42), now: Int64 = 86_400 * 100
        var tally = RotationTally()
        all.forEach { tally.add($0, defaults: .standard, now: now) }
        let active = all.filter { $0.state == .active }.compactMap { $0.schedule(defaults: .standard, now: now) }
        #expect(tally.count(.revoked) == all.filter { $0.state != .active }.count)
        #expect(tally.count(.ok) == active.filter { $0.standing == .ok }.count)
        #expect(tally.count(.due) == active.filter { $0.standing == .due }.count)
        #expect(tally.count(.overdue) == active.filter { $0.standing == .overdue }.count)
        #expect(tally.nextDueSeconds == active.map(\.secondsUntilDue).min())
        #expect(tally.rejected == all.filter(\.rejected).count)
    }
}
