import NIOConcurrencyHelpers

/// Requests being answered, across all connections; SIGTERM waits for this to reach zero.
final class InFlight: Sendable {
    private let state = NIOLockedValueBox((count: 0, draining: false))

    func enter() { state.withLockedValue { $0.count += 1 } }
    func leave() { state.withLockedValue { $0.count -= 1 } }
    var count: Int { state.withLockedValue { $0.count } }
    var draining: Bool { state.withLockedValue { $0.draining } }
    func startDraining() { state.withLockedValue { $0.draining = true } }
}
