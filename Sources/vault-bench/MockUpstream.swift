import NIOCore
import NIOHTTP1

/// The benchmark's upstream: answers every request 200 with a small JSON body, at once or, when
/// the request asks with `X-Bench-Delay-Ms`, after that long, like an API across a network.
final class MockUpstream: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let body = #"{"api_id":"bench","meta":{"limit":20,"offset":0,"total_count":0},"objects":[]}"#
    static let delayHeader = "X-Bench-Delay-Ms"
    /// Delays it honours, in milliseconds; others are ignored.
    static let delayRange: ClosedRange<Double> = 0...60_000
    private var delay: TimeAmount?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            delay = head.headers.first(name: Self.delayHeader).flatMap(Double.init)
                .flatMap { Self.delayRange.contains($0) ? .nanoseconds(Int64($0 * 1_000_000)) : nil }
        case .body:
            break
        case .end:
            guard let delay, delay > .zero else { return answer(context) }
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: delay) { self.answer(loopBound.value) }
        }
    }

    private func answer(_ context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(Self.body.utf8.count))])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: Self.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
