import Foundation
import NIOCore
import NIOHTTP1

/// One keep-alive connection of the load: sends a request, times its answer, sends the next
/// (at once, or on the connection's schedule with a fixed rate).
final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let body: ByteBuffer?
    /// Makes each request's body afresh (verify mode: a new nonce every time).
    let makeBody: (@Sendable () -> ByteBuffer)?
    let recorder: Recorder
    var deadline: UInt64
    let done: EventLoopPromise<Void>
    /// With a fixed rate: nanoseconds between this connection's requests, and when the next is due.
    let interval: UInt64?
    var due: UInt64
    var started: UInt64 = 0
    var status: UInt = 0
    /// In verify mode an answer counts only when it says `"valid":true`.
    var bodyOK = true

    init(head: HTTPRequestHead, body: ByteBuffer?, makeBody: (@Sendable () -> ByteBuffer)?, recorder: Recorder, deadline: UInt64,
         done: EventLoopPromise<Void>, interval: UInt64? = nil) {
        self.head = head
        self.body = body
        self.makeBody = makeBody
        self.recorder = recorder
        self.deadline = deadline
        self.done = done
        self.interval = interval
        self.due = 0
    }

    /// Closed loop: the first request goes at once. With a fixed rate the phase starts all
    /// connections together once every one is connected (`begin`).
    func channelActive(context: ChannelHandlerContext) {
        if interval == nil { next(context) }
    }

    func begin(_ context: ChannelHandlerContext, firstDue: UInt64, deadline: UInt64) {
        due = firstDue
        self.deadline = deadline
        next(context)
    }

    /// Sends now, or (with a fixed rate) when the next request is due.
    func next(_ context: ChannelHandlerContext) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let interval else {
            started = now
            return send(context)
        }
        started = due
        due += interval
        guard started > now else { return send(context) }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(started - now))) { self.send(bound.value) }
    }

    func send(_ context: ChannelHandlerContext) {
        if let makeBody {
            let b = makeBody()
            var h = head
            h.headers.replaceOrAdd(name: "Content-Length", value: String(b.readableBytes))
            context.write(wrapOutboundOut(.head(h)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(b))), promise: nil)
        } else {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = h.status.code
            bodyOK = makeBody == nil
        case .body(let b):
            if makeBody != nil, b.readableBytesView.starts(with: Array(#"{"valid":true"#.utf8)) { bodyOK = true }
        case .end:
            let now = DispatchTime.now().uptimeNanoseconds
            if status == 200 && bodyOK { recorder.samples.append(now - started) } else { recorder.errors += 1 }
            // With a fixed rate every request due before the deadline is sent, late if the
            // vault fell behind, so the slowest are counted rather than left out.
            let more = interval == nil ? now < deadline : due < deadline
            if more { next(context) } else { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) { done.succeed(()) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        recorder.errors += 1
        context.close(promise: nil)
    }
}
