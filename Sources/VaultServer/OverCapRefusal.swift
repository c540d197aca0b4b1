import NIOCore
import VaultCore

/// The only handler of a connection past `[limits] max_connections`: once the connection is
/// active it is answered `429 rate_limited` and closed. Nothing the client sends is read.
///
/// The answer cannot be written from the channel initializer: an accepted channel is not yet
/// registered there, the write fails, and the client would be left waiting on an open socket.
final class OverCapRefusal: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let detail: String

    init(limit: Int) { detail = "too many connections (limit \(limit)); try again later" }

    init(detail: String) { self.detail = detail }

    func channelActive(context: ChannelHandlerContext) {
        let body = Problem.body(.rateLimited, detail)
        var out = context.channel.allocator.buffer(capacity: body.readableBytes + 128)
        out.writeString("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\n"
                        + "Content-Length: \(body.readableBytes)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        out.writeImmutableBuffer(body)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
