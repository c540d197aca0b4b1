import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// One HTTP/1.1 connection: shows each request part and each answer to the connection's
/// `ConnectionStateMachine` and carries out what it decides (collect, refuse, answer, keep or
/// close); re-checks the caller, hands the request to the router, writes the answer. NIO's
/// pipelining handler upstream keeps one request in flight per connection.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched on the channel's event loop only; the router runs
    // elsewhere and its answer is hopped back onto the loop before it is written.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: any Router
    private let peer: PeerContext
    /// The connection's state machine, which decides; this handler carries out what it returns.
    private let state: ConnectionState
    private var inFlight: InFlight
    /// Gathers the flushes of keep-alive answers per loop turn; nil flushes each at once.
    private let flusher: TickFlusher?

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
        state.arm(context.channel, state.machine.opened(now: context.eventLoop.now))
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
        switch state.machine.inputClosed(now: context.eventLoop.now) {
        case .wait: break
        case .closeWhenFlushed(let writeUntil): closeWhenWritten(context, writeUntil: writeUntil)
        }
    }

    /// Closes once every byte written so far is out. NIO would drop unwritten bytes on a close
    /// (and turns a close of the output into a full close once the input is shut), so an empty
    /// write goes in behind them, at the head of the pipeline, and the close waits for it. A
    /// client that stops reading meanwhile is cut at `writeUntil`.
    private func closeWhenWritten(_ context: ChannelHandlerContext, writeUntil: NIODeadline) {
        let channel = context.channel
        state.arm(channel, writeUntil)
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
        let action: ConnectionStateMachine.PartAction
        switch unwrapInboundIn(data) {
        case .head(let head):
            action = state.machine.headReceived(head, now: context.eventLoop.now, refuseEarly: { router.refuseEarly($0) })
        case .body(var chunk):
            action = state.machine.bodyReceived(&chunk)
        case .end:
            action = state.machine.requestEnded()
        }
        switch action {
        case .none: break
        case .arm(let readUntil): state.arm(context.channel, readUntil)
        // Refusals half-close: the rest of the request is read and dropped until the client
        // stops sending (or a short linger ends), so a client still writing its body is not
        // reset before it reads the answer.
        case .refuseBody(let limit):
            write(context, Problem.response(.payloadTooLarge, "request body exceeds \(limit) bytes"), keepAlive: false)
        case .refuseEarly(let response): write(context, response, keepAlive: false)
        case .dispatch(let request): dispatch(context, request)
        }
    }

    private func dispatch(_ context: ChannelHandlerContext, _ request: VaultRequest) {
        let id = RequestID.new()
        state.requestID = id
        RequestID.$current.withValue(id) { route(context, request) }
    }

    private func route(_ context: ChannelHandlerContext, _ request: VaultRequest) {
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
    private func write(_ context: ChannelHandlerContext, _ response: VaultResponse, keepAlive: Bool,
                       release: (@Sendable () -> Void)? = nil) {
        // A route may ask for the connection to end with its answer.
        let keepAlive = keepAlive && response.headers.first(name: "Connection") != "close"
        var headers = response.headers
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        // Every answer names its request, as its audit row does; one refused before it was
        // read whole gets an id of its own. A header of the vault's own: a proxied answer keeps
        // the upstream's X-Request-Id, which its support asks for.
        headers.replaceOrAdd(name: "X-Vault-Request-Id", value: state.requestID ?? RequestID.new())
        state.requestID = nil
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let pump = response.stream {
            stream(context, pump, keepAlive: keepAlive, release: release)
            return
        }
        release?()
        context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        end(context, state.machine.answerEnded(keepAlive: keepAlive, now: context.eventLoop.now), promise: nil)
    }

    /// Writes an answer's end and carries out how the machine ends the answer. The machine has
    /// moved on already: a pipelined request that NIO delivers while the end is written finds
    /// the connection waiting for it. `promise`: completed once the end is out.
    private func end(_ context: ChannelHandlerContext, _ action: ConnectionStateMachine.AnswerAction,
                     promise: EventLoopPromise<Void>?) {
        let end = wrapOutboundOut(.end(nil))
        let channel = context.channel
        switch action {
        case .keepOpen(let idleUntil):
            state.arm(channel, idleUntil)
            // Nothing waits for this write: no promise to allocate on the common path.
            if promise == nil, let flusher {
                context.write(end, promise: nil)
                flusher.flush(context)
            } else {
                context.writeAndFlush(end, promise: promise)
            }
        case .closeWhenFlushed(let writeUntil):
            context.write(end, promise: promise)
            closeWhenWritten(context, writeUntil: writeUntil)
        case .closeAfterEnd(let writeUntil):
            // A client that does not read the answer does not hold the connection past the timeout.
            let done = promise ?? context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(end, promise: done)
            state.arm(channel, writeUntil)
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        case .lingerAfterEnd(let writeUntil):
            let done = promise ?? context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(end, promise: done)
            state.arm(channel, writeUntil)
            let state = self.state
            done.futureResult.whenComplete { _ in
                state.arm(channel, state.machine.refusalWritten(now: channel.eventLoop.now))
                channel.close(mode: .output, promise: nil)
            }
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
                let context = bound.value
                state.arm(context.channel, state.machine.chunkWriting(now: loop.now))
                return context.writeAndFlushPromise(self.wrapOutboundOut(.body(.byteBuffer(chunk))))
            }.get()
        }
        loop.runTask { [inFlight] in
            do {
                try await pump.run(writer)
                try await loop.flatSubmit { () -> EventLoopFuture<Void> in
                    let context = bound.value
                    let done = loop.makePromise(of: Void.self)
                    self.end(context, state.machine.answerEnded(keepAlive: keepAlive, now: loop.now), promise: done)
                    return done.futureResult
                }.get()
            } catch {
                loop.execute { bound.value.close(promise: nil) }
            }
            release?()
            inFlight.leave()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.machine.errorCaught()
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
