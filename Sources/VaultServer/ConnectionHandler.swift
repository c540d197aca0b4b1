import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// One HTTP/1.1 connection: collects a request within the limits, re-checks the caller, hands
/// the request to the router, writes the answer. NIO's pipelining handler upstream keeps one
/// request in flight per connection.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched on the channel's event loop only; the router runs
    // elsewhere and its answer is hopped back onto the loop before it is written.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: any Router
    private let peer: PeerContext
    private let state: ConnectionState
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The body limit of the request being read.
    private var maxBody = 0
    /// Set once a 413 is out; never cleared, the connection is closing.
    private var answeredTooLarge = false
    private var inFlight: InFlight
    /// Gathers the flushes of keep-alive answers per loop turn; nil flushes each at once.
    private let flusher: TickFlusher?
    /// An answer is being made or written: a client that shut down its side waits for it.
    private var answering = false
    /// The client shut down its sending side; the connection closes once no answer is due.
    private var inputClosed = false

    /// The listener's per-uid budget of requests being answered (nil: none, the admin socket).
    private let uids: UIDBudget?

    init(router: any Router, peer: PeerContext, state: ConnectionState, inFlight: InFlight, flusher: TickFlusher? = nil,
         uids: UIDBudget? = nil) {
        self.uids = uids
        self.router = router
        self.peer = peer
        self.state = state
        self.inFlight = inFlight
        self.flusher = flusher
    }

    func channelActive(context: ChannelHandlerContext) {
        state.responded(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.stop()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let e = event as? ChannelEvent, e == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // A request followed at once by the client's shutdown (`nc -N`, scripts) is answered:
        // the answer goes out, then the connection closes.
        inputClosed = true
        if !answering { closeWhenWritten(context) }
    }

    /// Closes once every byte written so far is out. NIO would drop unwritten bytes on a close
    /// (and turns a close of the output into a full close once the input is shut), so an empty
    /// write goes in behind them, at the head of the pipeline, and the close waits for it. A
    /// client that stops reading meanwhile is cut after `idle_timeout`.
    private func closeWhenWritten(_ context: ChannelHandlerContext) {
        let channel = context.channel
        state.writing(channel)
        let marker = context.eventLoop.makePromise(of: Void.self)
        if let head = try? context.pipeline.syncOperations.context(handlerType: HeadLimiter.self) {
            head.write(NIOAny(ByteBuffer()), promise: marker)
        } else {
            marker.succeed(())
        }
        context.flush()
        marker.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a 413 the connection only drains until it closes.
        guard !answeredTooLarge else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            state.headReceived()
            if let early = router.refuseEarly(h) {
                answeredTooLarge = true
                write(context, early, keepAlive: false, linger: true)
                return
            }
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
            maxBody = state.limits.maxBody(forURI: h.uri)
            if let length = h.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBody {
                // Refuse at once rather than read a body that is announced too big.
                refuseTooLarge(context)
            }
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBody {
                refuseTooLarge(context)
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            state.requestRead()
            guard let h = head else { return }
            head = nil
            let request = VaultRequest(method: h.method, uri: h.uri, headers: h.headers,
                                       body: body ?? context.channel.allocator.buffer(capacity: 0), keepAlive: h.isKeepAlive)
            body = nil
            answering = true
            dispatch(context, request)
        }
    }

    /// Answers 413 and then half-closes: the rest of the body is read and dropped until the client
    /// stops sending (or a short linger ends), so a client still writing its body is not reset
    /// before it reads the answer.
    private func refuseTooLarge(_ context: ChannelHandlerContext) {
        answeredTooLarge = true
        head = nil
        body = nil
        write(context, Problem.response(.payloadTooLarge, "request body exceeds \(maxBody) bytes"),
              keepAlive: false, linger: true)
    }

    private func dispatch(_ context: ChannelHandlerContext, _ request: VaultRequest) {
        if let foreign = peer.writers?.foreign {
            // Another process shares the connection (a child the caller forked, or one it passed
            // the socket to): what it writes is not the attested caller's request.
            let who = foreign.pid == 0 ? "a process the daemon cannot see" : "pid \(foreign.pid) (uid \(foreign.uid))"
            let refusal = Refusal(.notGranted, "this connection carries bytes written by another process than the one that connected; each process must connect itself")
            router.auditRefusal(Refusal(.notGranted, refusal.detail + " (written by \(who), connected by pid \(peer.caller.pid))"),
                                request: request, peer: peer, caller: peer.caller)
            write(context, Problem.response(refusal.type, refusal.detail), keepAlive: false)
            return
        }
        guard peer.stillSame() else {
            let refusal = Refusal(.notGranted, "the calling process changed since it connected (pid reused or exec); reconnect")
            // The row names what the process runs now, and what it ran when it connected.
            var now = peer.caller
            now.exe = peer.currentExe()
            let audited = Refusal(.notGranted, refusal.detail + " (it ran \(peer.caller.exe ?? "an unknown program") when it connected)")
            router.auditRefusal(audited, request: request, peer: peer, caller: now)
            write(context, Problem.response(refusal.type, refusal.detail), keepAlive: false)
            return
        }
        // Health checks keep no connection alive past idle_timeout: only other requests count.
        state.useful = !(request.method == .GET && request.path == "/v1/health")
        if let now = router.respondNow(to: request, peer: peer, on: context.eventLoop) {
            write(context, now, keepAlive: request.keepAlive && !inFlight.draining)
            return
        }
        let uid = peer.budgetUID, limit = state.limits.maxInFlightPerUID
        if let uids, !uids.enter(uid, limit: limit) {
            var busy = Problem.response(.rateLimited, "too many requests in flight for uid \(uid) (limit \(limit)); try again shortly")
            busy.headers.replaceOrAdd(name: "Retry-After", value: "1")
            write(context, busy, keepAlive: request.keepAlive && !inFlight.draining)
            return
        }
        let promise = context.eventLoop.makePromise(of: VaultResponse.self)
        let router = self.router, peer = self.peer, uids = self.uids
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        inFlight.enter()
        context.eventLoop.runTask { promise.succeed(await router.respond(to: request, peer: peer)) }
        promise.futureResult.whenComplete { [self] result in
            // The response is written (and a stream entered) before the request leaves, so a
            // draining daemon never sees zero in flight while an answer is still going out.
            // A streamed answer holds its place in the uid's budget until its last byte is out.
            let release: @Sendable () -> Void = { uids?.leave(uid) }
            switch result {
            case .success(let response): write(bound.value, response, keepAlive: request.keepAlive && !inFlight.draining, release: release)
            case .failure: write(bound.value, Problem.response(.internal, "internal error"), keepAlive: false, release: release)
            }
            inFlight.leave()
        }
    }

    /// `release` runs once the answer is handed to the channel, or for a stream, once it ends.
    private func write(_ context: ChannelHandlerContext, _ response: VaultResponse, keepAlive: Bool, linger: Bool = false,
                       release: (@Sendable () -> Void)? = nil) {
        // A route may ask for the connection to end with its answer.
        let keepAlive = keepAlive && response.headers.first(name: "Connection") != "close"
        var headers = response.headers
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let pump = response.stream {
            stream(context, pump, keepAlive: keepAlive, release: release)
            return
        }
        release?()
        context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        if keepAlive {
            answering = false
            if inputClosed {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                closeWhenWritten(context)
                return
            }
            // Nothing waits for this write: no promise to allocate on the common path.
            if let flusher {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                flusher.flush(context)
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
            state.responded(context.channel)
            return
        }
        let done = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        // A client that does not read the answer does not hold the connection past the timeout.
        state.writing(context.channel)
        if linger {
            let channel = context.channel, state = self.state
            done.whenComplete { _ in
                state.linger(channel)
                channel.close(mode: .output, promise: nil)
            }
        } else {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Writes a streamed body chunk by chunk, each write awaited so a slow reader slows the
    /// producer rather than filling memory. A producer that fails mid-way (upstream gone, body
    /// over the limit) leaves the client a truncated answer: the connection is closed.
    private func stream(_ context: ChannelHandlerContext, _ pump: BodyPump, keepAlive: Bool, release: (@Sendable () -> Void)?) {
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let state = self.state
        inFlight.enter()
        let writer = BodyWriter { [self] chunk in
            try await loop.flatSubmit {
                // A client that stops reading gets `idle_timeout` per chunk, then is closed.
                state.writing(bound.value.channel)
                return bound.value.writeAndFlushPromise(self.wrapOutboundOut(.body(.byteBuffer(chunk))))
            }.get()
        }
        loop.runTask { [inFlight] in
            do {
                try await pump.run(writer)
                try await loop.flatSubmit { () -> EventLoopFuture<Void> in
                    let done = bound.value.writeAndFlushPromise(self.wrapOutboundOut(.end(nil)))
                    if keepAlive {
                        state.responded(bound.value.channel)
                        self.streamEnded(bound.value)
                    }
                    return done
                }.get()
                if !keepAlive { loop.execute { bound.value.close(promise: nil) } }
            } catch {
                loop.execute { bound.value.close(promise: nil) }
            }
            release?()
            inFlight.leave()
        }
    }

    /// A streamed answer is out (on the loop): a client that shut down its side meanwhile is
    /// closed now.
    private func streamEnded(_ context: ChannelHandlerContext) {
        answering = false
        if inputClosed { closeWhenWritten(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension ChannelHandlerContext {
    func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let p = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: p)
        return p.futureResult
    }
}
