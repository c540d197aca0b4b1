import NIOCore

/// Per-connection timers and the head-size budget, shared by the handlers of one channel and
/// touched only on its event loop.
final class ConnectionState: @unchecked Sendable {
    let limits: HTTPLimits
    private var readTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// Bytes received since the current request began, until its head was parsed.
    var headBytes = 0
    var awaitingHead = true
    var inRequest = false

    init(limits: HTTPLimits) { self.limits = limits }

    /// The first byte of a request: the read timeout starts, the idle timeout stops.
    func requestStarted(_ context: ChannelHandlerContext) {
        guard !inRequest else { return }
        inRequest = true
        idleTimer?.cancel()
        idleTimer = nil
        let channel = context.channel
        readTimer = context.eventLoop.scheduleTask(in: limits.readTimeout) { channel.close(promise: nil) }
    }

    func headReceived() {
        awaitingHead = false
        headBytes = 0
    }

    func requestRead() {
        readTimer?.cancel()
        readTimer = nil
    }

    /// The response is out: the connection may idle for a while, then it is closed.
    func responded(_ channel: any Channel) {
        inRequest = false
        awaitingHead = true
        headBytes = 0
        readTimer?.cancel()
        idleTimer?.cancel()
        idleTimer = channel.eventLoop.scheduleTask(in: limits.idleTimeout) { channel.close(promise: nil) }
    }

    func stop() {
        readTimer?.cancel()
        idleTimer?.cancel()
    }
}
