import NIOCore

/// Flushes the answers written during one turn of an event loop together instead of one by one.
/// An answer that reaches a client asleep in its poll costs a cross-CPU wakeup; the first answer
/// of a turn goes out at once (a lone request waits for nothing), the others of the same turn
/// together at its end, so a busy loop wakes its clients twice per turn instead of once per answer.
final class TickFlusher: @unchecked Sendable {
    // @unchecked: `pending` and `spare` are touched on `loop` only.
    private let loop: any EventLoop
    private var pending: [ChannelHandlerContext] = []
    private var spare: [ChannelHandlerContext] = []
    /// Whether an answer went out in this turn (the end-of-turn task is queued).
    private var inTurn = false

    init(loop: any EventLoop) {
        self.loop = loop
        pending.reserveCapacity(64)
        spare.reserveCapacity(64)
    }

    /// Flushes `context` now if it is the turn's first answer, else once the loop has handled the
    /// rest of this turn's events: the loop runs queued tasks after its I/O.
    func flush(_ context: ChannelHandlerContext) {
        guard inTurn else {
            inTurn = true
            loop.execute { self.endTurn() }
            context.flush()
            return
        }
        pending.append(context)
    }

    private func endTurn() {
        inTurn = false
        // Swapped first: a flush can deliver a pipelined request whose answer starts a new turn.
        swap(&pending, &spare)
        for context in spare {
            context.flush()
        }
        spare.removeAll(keepingCapacity: true)
    }

    /// One flusher per loop of `group`, made before any connection is accepted.
    static func perLoop(of group: any EventLoopGroup) -> [ObjectIdentifier: TickFlusher] {
        var flushers: [ObjectIdentifier: TickFlusher] = [:]
        for loop in group.makeIterator() {
            flushers[ObjectIdentifier(loop)] = TickFlusher(loop: loop)
        }
        return flushers
    }
}
