import NIOConcurrencyHelpers

/// Connections and requests in flight per caller uid on one listener: one user holding
/// connections open, or requests outstanding, leaves room for every other user.
final class UIDBudget: Sendable {
    private struct Use {
        var connections = 0
        var inFlight = 0
    }

    private let uses = NIOLockedValueBox([UInt32: Use]())

    /// Counts a connection of `uid` unless it already holds `limit`.
    func open(_ uid: UInt32, limit: Int) -> Bool {
        uses.withLockedValue {
            guard $0[uid, default: Use()].connections < limit else { return false }
            $0[uid, default: Use()].connections += 1
            return true
        }
    }

    func closed(_ uid: UInt32) {
        uses.withLockedValue {
            $0[uid, default: Use()].connections -= 1
            if let u = $0[uid], u.connections <= 0, u.inFlight <= 0 { $0[uid] = nil }
        }
    }

    /// Counts a request being answered for `uid` unless it already has `limit`.
    func enter(_ uid: UInt32, limit: Int) -> Bool {
        uses.withLockedValue {
            guard $0[uid, default: Use()].inFlight < limit else { return false }
            $0[uid, default: Use()].inFlight += 1
            return true
        }
    }

    func leave(_ uid: UInt32) {
        uses.withLockedValue { $0[uid, default: Use()].inFlight -= 1 }
    }
}
