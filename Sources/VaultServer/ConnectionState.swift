import NIOCore

/// One connection's `ConnectionStateMachine` and the one timer that carries out its deadlines,
/// shared by the handlers of the channel and touched only on its event loop. The timer is
/// re-armed only when a deadline moves earlier, and on firing asks the machine, so a busy
/// keep-alive connection does not schedule and cancel tasks for every request.
final class ConnectionState: @unchecked Sendable {
    var machine: ConnectionStateMachine
    /// The id of the request being answered (`RequestID`), until its answer is written.
    var requestID: String?
    private var timer: Scheduled<Void>?
    private var timerFiresAt = NIODeadline.distantFuture
    private weak var channel: (any Channel)?

    init(limits: HTTPLimits) { machine = ConnectionStateMachine(limits: limits) }

    var limits: HTTPLimits { machine.limits }

    /// Makes sure the timer fires by `at` (the machine holds the deadline itself).
    func arm(_ channel: any Channel, _ at: NIODeadline) {
        self.channel = channel
        guard timer == nil || at < timerFiresAt else { return }
        timer?.cancel()
        schedule(channel.eventLoop, at)
    }

    func stop() {
        timer?.cancel()
        timer = nil
        machine.closed()
    }

    private func schedule(_ loop: any EventLoop, _ at: NIODeadline) {
        timerFiresAt = at
        timer = loop.scheduleTask(deadline: at) { [self] in fire() }
    }

    private func fire() {
        timer = nil
        guard let channel else { return }
        switch machine.timerFired(now: channel.eventLoop.now) {
        case .close: channel.close(promise: nil)
        case .wait(let until): schedule(channel.eventLoop, until)
        case .none: break
        }
    }
}
