import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import VaultCore
@testable import VaultServer

/// The real handlers of a connection (`HeadLimiter`, NIO's HTTP codec with pipelining
/// assistance, `ConnectionHandler`) on an embedded channel, whose loop's clock the tests move.
@Suite struct ConnectionHandlerTests {
    /// Answers `/slow` and `/stream` asynchronously, everything else at once; records the order
    /// in which requests reach it.
    final class Recorder: Router, @unchecked Sendable {
        // @unchecked: used on the test's thread only (the embedded loop runs there).
        var dispatched: [String] = []
        /// Whether the uid's budget was still held while the stream's last chunk was written.
        var heldDuringStream: Bool?
        let uids = UIDBudget()

        func respondNow(to request: VaultRequest, peer: PeerContext, on loop: any EventLoop) -> VaultResponse? {
            dispatched.append(String(request.path))
            return request.path == "/slow" || request.path == "/stream" ? nil : Self.answer(request)
        }

        func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
            guard request.path == "/stream" else { return Self.answer(request) }
            return VaultResponse(status: .ok, headers: HTTPHeaders(), stream: BodyPump { [self] write in
                try await write(ByteBuffer(string: "chunk-one"))
                try await write(ByteBuffer(string: "chunk-two"))
                heldDuringStream = !uids.enter(peer.budgetUID, limit: 1)
            })
        }

        static func answer(_ request: VaultRequest) -> VaultResponse {
            VaultResponse(status: .ok, contentType: "text/plain", body: ByteBuffer(string: "answer \(request.path)"))
        }
    }

    struct Connection {
        let channel = EmbeddedChannel()
        let router = Recorder()
        let inFlight = InFlight()

        static var limits: HTTPLimits {
            var l = ConnectionStateMachineTests.limits
            l.maxInFlightPerUID = 1
            return l
        }

        init() throws {
            let caller = Caller(uid: 4242, gid: 4242, pid: 0, user: "test", groups: [], exe: nil, unit: nil, startTime: 0)
            let peer = PeerContext(caller: caller, pidfd: -1, tcpSource: "loopback", budgetUID: 4242)
            let state = ConnectionState(limits: Self.limits)
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(HeadLimiter(state: state))
            try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
            try sync.addHandler(ConnectionHandler(router: router, peer: peer, state: state, inFlight: inFlight, uids: router.uids))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        var loop: EmbeddedEventLoop { channel.embeddedEventLoop }
        var isOpen: Bool { channel.isActive }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// Everything written to the client since the last call.
        func received() throws -> String {
            var out = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: buffer) }
            return out
        }
    }

    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: v\r\n\r\n" }

    /// The client got a 413 problem+json saying `detail`, the request reached no route, and the
    /// connection is closed (an embedded channel closes fully where a socket closes its output).
    func expectTooLarge(_ c: Connection, _ detail: String) throws {
        let out = try c.received()
        #expect(out.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
        #expect(out.contains("Content-Type: application/problem+json"))
        #expect(out.contains("Connection: close"))
        #expect(out.contains("\"status\":413"))
        #expect(out.contains(detail))
        #expect(!c.isOpen)
        #expect(c.router.dispatched.isEmpty)
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOneAtATime() throws {
        let c = try Connection()
        try c.send(Self.get("/slow") + Self.get("/fast"))
        #expect(c.router.dispatched == ["/slow"], "the second request waits until the first is answered")
        #expect(try c.received() == "")

        c.loop.run()
        #expect(c.router.dispatched == ["/slow", "/fast"])
        let out = try c.received()
        let first = try #require(out.range(of: "answer /slow")), second = try #require(out.range(of: "answer /fast"))
        #expect(first.upperBound <= second.lowerBound)
        #expect(out.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(c.isOpen)
        #expect(c.inFlight.count == 0)
    }

    @Test func aClientThatShutsItsSideAfterARequestGetsTheAnswerThenTheConnectionCloses() throws {
        let c = try Connection()
        try c.send(Self.get("/slow"))
        c.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(c.isOpen, "the answer is still due")
        #expect(try c.received() == "")

        c.loop.run()
        #expect(try c.received().contains("answer /slow"))
        #expect(!c.isOpen)
    }

    @Test func aHalfClosureBetweenRequestsClosesAtOnce() throws {
        let c = try Connection()
        try c.send(Self.get("/fast"))
        #expect(try c.received().contains("answer /fast"))
        c.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!c.isOpen)
    }

    /// A request at 20 s: the idle timeout runs from its answer, but a health check does not
    /// count as use, so the timeout still runs from the connection's opening.
    @Test(arguments: [("/fast", 50), ("/v1/health", 30)])
    func anIdleConnectionIsClosedAfterTheIdleTimeoutFromItsLastUse(path: String, closesAt: Int64) throws {
        let c = try Connection()
        c.loop.advanceTime(by: .seconds(20))
        try c.send(Self.get(path))
        #expect(try c.received().contains("answer \(path)"))
        c.loop.advanceTime(to: .uptimeNanoseconds(0) + .seconds(closesAt - 1))
        #expect(c.isOpen)
        c.loop.advanceTime(by: .seconds(1))
        #expect(!c.isOpen)
    }

    @Test func aRequestNotCompleteWithinTheReadTimeoutIsCut() throws {
        let c = try Connection()
        c.loop.advanceTime(by: .seconds(5))
        try c.send("GET /fast HTTP/1.1\r\n")
        c.loop.advanceTime(by: .seconds(9))
        #expect(c.isOpen)
        c.loop.advanceTime(by: .seconds(1))
        #expect(!c.isOpen, "cut 10 s after its first byte, well before the idle timeout")
        let out = try c.received()
        #expect(!out.contains("200 OK"), "\(out)")
        #expect(c.router.dispatched.isEmpty)
    }

    @Test func aHeadOverTheLimitIsAnswered413AndTheConnectionClosed() throws {
        let c = try Connection()
        try c.send("GET /fast HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 80) + "\r\n\r\n")
        try expectTooLarge(c, "request headers exceed 64 bytes")
    }

    @Test func aBodyAnnouncedOverTheLimitIsAnswered413AndTheConnectionClosed() throws {
        let c = try Connection()
        try c.send("POST /fast HTTP/1.1\r\nHost: v\r\nContent-Length: 17\r\n\r\n")
        try expectTooLarge(c, "request body exceeds 16 bytes")
    }

    @Test func aChunkedBodyThatGrowsOverTheLimitIsAnswered413() throws {
        let c = try Connection()
        try c.send("POST /fast HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + String(repeating: "a", count: 16) + "\r\n")
        #expect(try c.received() == "", "16 bytes are within the limit")
        try c.send("1\r\nb\r\n")
        try expectTooLarge(c, "request body exceeds 16 bytes")
    }

    @Test func aBodyWithinTheLimitReachesTheRouter() throws {
        let c = try Connection()
        try c.send("POST /fast HTTP/1.1\r\nHost: v\r\nContent-Length: 16\r\n\r\n" + String(repeating: "a", count: 16))
        #expect(try c.received().contains("answer /fast"))
        #expect(c.router.dispatched == ["/fast"])
        #expect(c.isOpen)
    }

    @Test func aStreamedAnswerHoldsItsBudgetUntilItsLastByte() throws {
        let c = try Connection()
        try c.send(Self.get("/stream"))
        #expect(c.inFlight.count == 1)
        c.loop.run()
        let out = try c.received()
        let one = try #require(out.range(of: "chunk-one")), two = try #require(out.range(of: "chunk-two"))
        #expect(one.upperBound <= two.lowerBound)
        #expect(out.hasSuffix("0\r\n\r\n"), "the chunked body is ended")
        #expect(c.router.heldDuringStream == true, "the uid's place is held while the stream runs")
        #expect(c.router.uids.enter(4242, limit: 1), "and given back once it is out")
        #expect(c.inFlight.count == 0)
        #expect(c.isOpen)
    }

    @Test func aConnectionClosedAnswerEndsTheConnection() throws {
        let c = try Connection()
        try c.send("GET /fast HTTP/1.1\r\nHost: v\r\nConnection: close\r\n\r\n" + Self.get("/second"))
        let out = try c.received()
        #expect(out.contains("answer /fast"))
        #expect(!c.isOpen)
        #expect(c.router.dispatched == ["/fast"], "nothing pipelined behind a closing answer is answered")
    }
}
