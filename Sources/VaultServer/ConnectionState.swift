import NIOCore

/// Per-connection timers and the head-size budget, shared by the handlers of one channel and
/// touched only on its event loop. One scheduled task serves both timeouts: it is re-armed only
/// when the deadline moves earlier, and on firing it checks the current deadline, so a busy
/// keep-alive connection does not schedule and cancel tasks for every request.
final class ConnectionState: @unchecked Sendable {
    let limits: HTTPLimits
    private var deadline = NIODeadline.distantFuture
    private var timer: Scheduled<Void>?
    private var timerFiresAt = NIODeadline.distantFuture
    private weak var channel: (any Channel)?
    /// Bytes received since the current request began, until its head was parsed.
    var headBytes = 0
    /// The last bytes of the previous read, so a head end split across reads is found.
    var headTail: [UInt8] = []
    var awaitingHead = true
    var inRequest = false
    /// Whether the request being answered counts as use (a health check does not).
    var useful = true
    /// When the connection was opened or last made a useful request: the idle timeout runs
    /// from here, so health checks alone do not keep a connection.
    private var lastUse = NIODeadline.now()

    init(limits: HTTPLimits) { self.limits = limits }

    /// The first byte of a request: the read timeout starts, the idle timeout stops.
    func requestStarted(_ context: ChannelHandlerContext) {
        guard !inRequest else { return }
        inRequest = true
        arm(context.channel, .now() + limits.readTimeout)
    }

    func headReceived() {
        awaitingHead = false
        headBytes = 0
        headTail = []
    }

    /// The whole request is in: no timeout runs while it is being answered.
    func requestRead() {
        deadline = .distantFuture
    }

    /// The response is out: the connection may idle for a while, then it is closed.
    func responded(_ channel: any Channel) {
        inRequest = false
        awaitingHead = true
        headBytes = 0
        headTail = []
        if useful { lastUse = .now() }
        useful = true
        arm(channel, lastUse + limits.idleTimeout)
    }

    /// The answer is out and the write side closed: input is drained for a short while at most,
    /// then the connection is closed whatever the client still sends.
    func linger(_ channel: any Channel) {
        inRequest = true
        arm(channel, .now() + min(limits.readTimeout, .seconds(2)))
    }

    /// A chunk of a streamed answer is going out: it must be taken within the idle timeout.
    func writing(_ channel: any Channel) {
        arm(channel, .now() + limits.idleTimeout)
    }

    func stop() {
        timer?.cancel()
        timer = nil
        deadline = .distantFuture
    }

    private func arm(_ channel: any Channel, _ at: NIODeadline) {
        self.channel = channel
        deadline = at
        guard timer == nil || at < timerFiresAt else { return }
        timer?.cancel()
        schedule(channel.eventLoop, at)
    }

    private func schedule(_ loop: any EventLoop, _ at: NIODeadline) {
        timerFiresAt = at
        timer = loop.scheduleTask(deadline: at) { [self] in fire() }
    }

    private func fire() {
        timer = nil
        guard let channel else { return }
        if deadline <= .now() {
            channel.close(promise: nil)
        } else if deadline != .distantFuture {
            schedule(channel.eventLoop, deadline)
        }
    }
}
