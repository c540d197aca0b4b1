import NIOCore

/// Sits in front of the HTTP decoder and shows every read to the connection's state machine,
/// which starts the read timeout on a request's first byte and refuses a head larger than the
/// limit before the decoder buffers it.
final class HeadLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let state: ConnectionState

    init(state: ConnectionState) { self.state = state }

    /// Where `\r\n\r\n` ends within `bytes` (counting the last bytes of the previous read).
    static func headEnd(_ bytes: UnsafeBufferPointer<UInt8>, carried: [UInt8]) -> Int? {
        // A terminator that straddles the previous read: at most 3 carried bytes.
        if !carried.isEmpty {
            let joined = carried + bytes.prefix(3)
            var j = 3
            while j < joined.count {
                if joined[j] == 10, joined[j - 1] == 13, joined[j - 2] == 10, joined[j - 3] == 13, j + 1 > carried.count {
                    return j + 1 - carried.count
                }
                j += 1
            }
        }
        var i = 3
        while i < bytes.count {
            if bytes[i] == 10, bytes[i - 1] == 13, bytes[i - 2] == 10, bytes[i - 3] == 13 { return i + 1 }
            i += 1
        }
        return nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state.machine.bytesRead(unwrapInboundIn(data), now: context.eventLoop.now) {
        case .drop:
            return
        case .forward(let arm):
            if let arm { state.arm(context.channel, arm) }
            context.fireChannelRead(data)
        case .refuseHead(let maxHead, let arm):
            let channel = context.channel
            if let arm { state.arm(channel, arm) }
            let body = Problem.body(.payloadTooLarge, "request headers exceed \(maxHead) bytes")
            var out = channel.allocator.buffer(capacity: 256 + body.readableBytes)
            out.writeString("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/problem+json\r\n")
            out.writeString("Content-Length: \(body.readableBytes)\r\nConnection: close\r\n\r\n")
            out.writeImmutableBuffer(body)
            // Same lingering close as an oversized body: what follows is read and dropped.
            let state = self.state
            context.writeAndFlush(NIOAny(out)).whenComplete { _ in
                state.arm(channel, state.machine.refusalWritten(now: channel.eventLoop.now))
                channel.close(mode: .output, promise: nil)
            }
        }
    }
}
