import NIOCore

/// Sits in front of the HTTP decoder: starts the read timeout on a request's first byte and
/// refuses a head larger than the limit before the decoder buffers it.
final class HeadLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let state: ConnectionState
    private var refused = false

    init(state: ConnectionState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let buffer = unwrapInboundIn(data)
        state.requestStarted(context)
        if state.awaitingHead {
            state.headBytes += buffer.readableBytes
            if state.headBytes > state.limits.maxHead {
                refused = true
                let body = Problem.body(.payloadTooLarge, "request headers exceed \(state.limits.maxHead) bytes")
                var out = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
                out.writeString("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/problem+json\r\n")
                out.writeString("Content-Length: \(body.readableBytes)\r\nConnection: close\r\n\r\n")
                out.writeImmutableBuffer(body)
                let channel = context.channel
                context.writeAndFlush(NIOAny(out)).whenComplete { _ in channel.close(promise: nil) }
                return
            }
        }
        context.fireChannelRead(data)
    }
}
