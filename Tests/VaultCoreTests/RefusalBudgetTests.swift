import Testing
import VaultCore

struct RefusalBudgetTests {
    @Test func theFirstRefusalOfAnIntervalIsAuditedTheRestSummedOnce() {
        var b = RefusalBudget(interval: 10, perSecond: 5)
        #expect(b.note(source: "127.0.0.1", now: 100) == .audit)
        let next = (0..<5).map { _ in b.note(source: "127.0.0.1", now: 100) }
        #expect(next == [.count, .count, .count, .count, .overCap])
        #expect(b.note(source: "127.0.0.2", now: 101) == .audit)
        #expect(b.due(now: 109).isEmpty)
        #expect(b.due(now: 110) == [RefusalBudget.Summary(source: "127.0.0.1", count: 5, from: 100, to: 110)])
        #expect(b.due(now: 111).isEmpty)
        // A new interval starts with a row of its own and a full bucket.
        #expect(b.note(source: "127.0.0.1", now: 112) == .audit)
    }

    @Test func sourcesAreBoundedAndTheOldestIsClosedEarly() {
        var b = RefusalBudget(interval: 10, perSecond: 5, maxSources: 2)
        _ = b.note(source: "a", now: 1)
        _ = b.note(source: "a", now: 1)
        _ = b.note(source: "b", now: 2)
        _ = b.note(source: "c", now: 3)
        #expect(b.due(now: 3) == [RefusalBudget.Summary(source: "a", count: 1, from: 1, to: 3)])
    }
}
