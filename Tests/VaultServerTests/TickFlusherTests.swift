import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
@testable import VaultServer

/// The first answer of a loop turn goes out at once; the others of the turn when the loop has
/// handled its events (here: when the embedded loop runs its tasks); then a new turn begins.
@Suite struct TickFlusherTests {
    /// Keeps its context so the test can write and flush through it as the connection handler does.
    final class Grab: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = ByteBuffer
        var context: ChannelHandlerContext?
        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    }

    func connection(on loop: EmbeddedEventLoop) throws -> (EmbeddedChannel, ChannelHandlerContext) {
        let grab = Grab()
        let channel = EmbeddedChannel(handler: grab, loop: loop)
        return (channel, try #require(grab.context))
    }

    func answer(_ context: ChannelHandlerContext, _ text: String, _ flusher: TickFlusher) {
        context.write(NIOAny(context.channel.allocator.buffer(string: text)), promise: nil)
        flusher.flush(context)
    }

    func sent(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    @Test func theFirstAnswerOfATurnGoesOutAtOnceTheRestAtItsEnd() throws {
        let loop = EmbeddedEventLoop()
        let flusher = TickFlusher(loop: loop)
        let (a, ca) = try connection(on: loop)
        let (b, cb) = try connection(on: loop)
        let (c, cc) = try connection(on: loop)

        answer(ca, "a1", flusher)
        #expect(try sent(a) == "a1", "the turn's first answer waits for nothing")
        answer(cb, "b1", flusher)
        answer(cc, "c1", flusher)
        #expect(try sent(b) == nil && sent(c) == nil, "later answers of the turn wait for its end")

        loop.run()
        #expect(try sent(b) == "b1" && sent(c) == "c1", "the turn's end flushes every answer held")

        answer(cc, "c2", flusher)
        #expect(try sent(c) == "c2", "a new turn starts with an answer that goes out at once")
        answer(ca, "a2", flusher)
        #expect(try sent(a) == nil)
        loop.run()
        #expect(try sent(a) == "a2")
        loop.run()
        #expect(try sent(a) == nil && sent(b) == nil && sent(c) == nil, "nothing is sent twice")
        for channel in [a, b, c] { _ = try channel.finish() }
    }

    @Test func everyLoopOfTheGroupHasItsOwnFlusher() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let flushers = TickFlusher.perLoop(of: group)
        #expect(flushers.count == 2)
        for loop in group.makeIterator() {
            #expect(flushers[ObjectIdentifier(loop)] != nil)
        }
    }
}
