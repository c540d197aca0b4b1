import NIOCore
import NIOHTTP1
import Testing
@testable import VaultServer

/// The connection's states and actions without a channel: every event is given its time, and
/// the deadlines it arms are checked against the limits.
@Suite struct ConnectionStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static var limits: HTTPLimits {
        var l = HTTPLimits()
        l.maxHead = 64
        l.maxBody = 16
        l.readTimeout = .seconds(10)
        l.idleTimeout = .seconds(30)
        return l
    }

    /// A machine of an open connection.
    func opened() -> ConnectionStateMachine {
        var m = ConnectionStateMachine(limits: Self.limits)
        _ = m.opened(now: Self.t0)
        return m
    }

    func head(_ method: HTTPMethod = .POST, _ uri: String = "/v1/headers", _ headers: [(String, String)] = []) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers))
    }

    func noRefusal(_: HTTPRequestHead) -> VaultResponse? { nil }

    /// Reads a whole request into `m` and returns what it dispatches.
    func request(_ m: inout ConnectionStateMachine, _ h: HTTPRequestHead, body: String = "", at now: NIODeadline) -> VaultRequest? {
        _ = m.bytesRead(ByteBuffer(string: "\(h.method) \(h.uri) HTTP/1.1\r\n\r\n"), now: now)
        _ = m.headReceived(h, now: now, refuseEarly: noRefusal)
        var chunk = ByteBuffer(string: body)
        if !body.isEmpty { _ = m.bodyReceived(&chunk) }
        guard case .dispatch(let request) = m.requestEnded() else { return nil }
        return request
    }

    @Test func anOpenConnectionWaitsForItsFirstRequestUntilTheIdleTimeout() {
        var m = ConnectionStateMachine(limits: Self.limits)
        #expect(m.opened(now: Self.t0) == Self.t0 + .seconds(30))
        #expect(m.timerFired(now: Self.t0 + .seconds(29)) == .wait(until: Self.t0 + .seconds(30)))
        #expect(m.timerFired(now: Self.t0 + .seconds(30)) == .close(.idle))
    }

    @Test func theFirstByteStartsTheReadTimeout() {
        var m = opened()
        let later = Self.t0 + .seconds(5)
        #expect(m.bytesRead(ByteBuffer(string: "GET / HT"), now: later) == .forward(arm: later + .seconds(10)))
        #expect(m.bytesRead(ByteBuffer(string: "TP/1.1\r\n"), now: later + .seconds(1)) == .forward(arm: nil),
                "only a request's first read arms the timer")
        #expect(m.timerFired(now: later + .seconds(10)) == .close(.read))
    }

    @Test func aHeadOverTheLimitIsRefusedAndWhatFollowsDropped() {
        var m = opened()
        let line = ByteBuffer(string: "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 30) + "\r\n")
        guard case .forward = m.bytesRead(line, now: Self.t0) else { Issue.record("the first 55 bytes are within the limit"); return }
        #expect(m.bytesRead(line, now: Self.t0) == .refuseHead(maxHead: 64, arm: nil))
        #expect(m.bytesRead(ByteBuffer(string: "\r\n"), now: Self.t0) == .drop)
        #expect(m.refusalWritten(now: Self.t0) == Self.t0 + .seconds(2), "the linger is at most two seconds")
        #expect(m.timerFired(now: Self.t0 + .seconds(2)) == .close(.linger))
    }

    @Test func bodyBytesInTheHeadsReadDoNotCountAgainstTheHeadLimit() {
        var m = opened()
        let read = ByteBuffer(string: "POST / HTTP/1.1\r\nHost: v\r\n\r\n" + String(repeating: "b", count: 100))
        #expect(m.bytesRead(read, now: Self.t0) == .forward(arm: Self.t0 + .seconds(10)))
        #expect(m.bytesRead(ByteBuffer(string: String(repeating: "b", count: 100)), now: Self.t0) == .forward(arm: nil))
    }

    @Test func aHeadEndSplitAcrossReadsIsFound() {
        var m = opened()
        _ = m.bytesRead(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: v\r\n\r"), now: Self.t0)
        _ = m.bytesRead(ByteBuffer(string: "\n"), now: Self.t0)
        guard case .headComplete = m.state else { Issue.record("state \(m.state)"); return }
    }

    @Test func aBodyAnnouncedTooLargeIsRefusedFromTheHead() {
        var m = opened()
        _ = m.bytesRead(ByteBuffer(string: "POST / HTTP/1.1\r\n\r\n"), now: Self.t0)
        let action = m.headReceived(head(.POST, "/v1/headers", [("Content-Length", "17")]), now: Self.t0, refuseEarly: noRefusal)
        guard case .refuseBody(limit: 16) = action else { Issue.record("\(action)"); return }
        var rest = ByteBuffer(string: "x")
        guard case .none = m.bodyReceived(&rest), case .none = m.requestEnded() else { Issue.record("a refused request is dropped"); return }
        #expect(m.answerEnded(keepAlive: false, now: Self.t0) == .lingerAfterEnd(writeUntil: Self.t0 + .seconds(30)))
    }

    @Test func aBodyThatGrowsTooLargeIsRefused() {
        var m = opened()
        _ = m.headReceived(head(), now: Self.t0, refuseEarly: noRefusal)
        var first = ByteBuffer(string: String(repeating: "a", count: 16))
        guard case .none = m.bodyReceived(&first) else { Issue.record("16 bytes fit"); return }
        var second = ByteBuffer(string: "a")
        guard case .refuseBody(limit: 16) = m.bodyReceived(&second) else { Issue.record("the 17th byte does not"); return }
    }

    @Test func theRoutersEarlyRefusalComesBeforeTheBodyLimit() {
        var m = opened()
        let early = Problem.response(.signatureInvalid, "unsigned")
        let action = m.headReceived(head(.POST, "/x", [("Content-Length", "999")]), now: Self.t0, refuseEarly: { _ in early })
        guard case .refuseEarly(let response) = action else { Issue.record("\(action)"); return }
        #expect(response.status == early.status)
    }

    @Test func aCompleteRequestIsDispatchedWithItsBodyAndNoTimeoutRunsWhileItIsAnswered() throws {
        var m = opened()
        let request = try #require(request(&m, head(.POST, "/v1/headers"), body: "{\"a\":1}", at: Self.t0))
        #expect(String(buffer: request.body) == "{\"a\":1}")
        #expect(request.keepAlive)
        #expect(m.timerFired(now: Self.t0 + .hours(1)) == .none)
    }

    @Test func aKeepAliveAnswerLeavesTheConnectionIdle() throws {
        var m = opened()
        _ = try #require(request(&m, head(), at: Self.t0))
        let answered = Self.t0 + .seconds(3)
        #expect(m.answerEnded(keepAlive: true, now: answered) == .keepOpen(idleUntil: answered + .seconds(30)))
        guard case .idle = m.state else { Issue.record("state \(m.state)"); return }
    }

    @Test func healthChecksDoNotKeepAConnectionOpen() throws {
        var m = opened()
        _ = try #require(request(&m, head(.GET, "/v1/health"), at: Self.t0 + .seconds(20)))
        #expect(m.answerEnded(keepAlive: true, now: Self.t0 + .seconds(20)) == .keepOpen(idleUntil: Self.t0 + .seconds(30)),
                "the idle timeout still runs from the connection's opening")
    }

    @Test func anAnswerThatEndsTheConnectionClosesItAfterItsEnd() throws {
        var m = opened()
        _ = try #require(request(&m, head(), at: Self.t0))
        #expect(m.answerEnded(keepAlive: false, now: Self.t0) == .closeAfterEnd(writeUntil: Self.t0 + .seconds(30)))
        let pipelined = m.headReceived(head(), now: Self.t0, refuseEarly: { _ in Issue.record("not asked"); return nil })
        guard case .none = pipelined else { Issue.record("a request pipelined behind the last answer is not read: \(pipelined)"); return }
        #expect(m.timerFired(now: Self.t0 + .seconds(30)) == .close(.write))
    }

    @Test func aHalfClosureDuringAnAnswerClosesTheConnectionOnceTheAnswerIsOut() throws {
        var m = opened()
        _ = try #require(request(&m, head(), at: Self.t0))
        #expect(m.inputClosed(now: Self.t0) == .wait)
        #expect(m.answerEnded(keepAlive: true, now: Self.t0 + .seconds(1)) == .closeWhenFlushed(writeUntil: Self.t0 + .seconds(31)))
    }

    @Test func aHalfClosureBetweenRequestsClosesAtOnce() {
        var m = opened()
        #expect(m.inputClosed(now: Self.t0) == .closeWhenFlushed(writeUntil: Self.t0 + .seconds(30)))
        #expect(m.inputClosed(now: Self.t0) == .wait, "closing already")
    }

    @Test func aStreamedChunkMustBeTakenWithinTheIdleTimeout() throws {
        var m = opened()
        _ = try #require(request(&m, head(), at: Self.t0))
        #expect(m.chunkWriting(now: Self.t0 + .seconds(1)) == Self.t0 + .seconds(31))
        #expect(m.timerFired(now: Self.t0 + .seconds(31)) == .close(.write))
    }

    @Test func aPipelinedRequestHeldBackStartsItsReadTimeoutWhenDelivered() throws {
        var m = opened()
        _ = try #require(request(&m, head(), at: Self.t0))
        _ = m.answerEnded(keepAlive: true, now: Self.t0)
        let action = m.headReceived(head(), now: Self.t0 + .seconds(1), refuseEarly: noRefusal)
        guard case .arm(let deadline) = action else { Issue.record("\(action)"); return }
        #expect(deadline == Self.t0 + .seconds(11))
    }

    @Test func aClosedConnectionIgnoresItsTimer() {
        var m = opened()
        m.closed()
        #expect(m.timerFired(now: Self.t0 + .hours(1)) == .none)
    }
}
