import Testing
@testable import VaultServer

struct UIDBudgetUnitTests {
    @Test func eachUIDHasItsOwnConnectionsAndRequestsInFlight() {
        let b = UIDBudget()
        #expect((0..<3).map { _ in b.open(1000, limit: 2) } == [true, true, false])
        #expect(b.open(1001, limit: 2))
        b.closed(1000)
        #expect(b.open(1000, limit: 2))
        #expect((0..<3).map { _ in b.enter(1000, limit: 2) } == [true, true, false])
        #expect(b.enter(1001, limit: 2))
        b.leave(1000)
        #expect(b.enter(1000, limit: 2))
    }
}
