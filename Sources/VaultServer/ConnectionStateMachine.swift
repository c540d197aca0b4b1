import NIOCore
import NIOHTTP1

/// The life of one HTTP/1.1 connection as states and the actions each event calls for, so the
/// handlers (`HeadLimiter` for bytes, `ConnectionHandler` for requests and answers) only carry
/// them out. No I/O here: the time comes in with each event, and a deadline goes out in the
/// action that arms the connection's one timer.
///
/// One request at a time: NIO's pipelining handler holds a pipelined request back until the
/// answer before it has ended, and delivers it while that answer's end is being written, so an
/// answer moves the machine on before its end is written.
struct ConnectionStateMachine {
    enum State {
        /// Between requests: the idle deadline runs.
        case idle
        /// A request's first bytes are in, not yet the blank line that ends its head; `bytes`
        /// counts them against the head limit, `tail` carries the last ones to find a split end.
        case readingHead(bytes: Int, tail: [UInt8])
        /// The head's end has been seen; the decoder hands over the head next.
        case headComplete
        /// The head is in; the body is collected up to `limit` bytes.
        case readingBody(HTTPRequestHead, body: ByteBuffer, limit: Int)
        /// The request is in and being answered (or its answer streamed); no deadline runs
        /// unless a chunk is being written. `counts`: whether it is use that keeps the
        /// connection (a health check is not). `inputClosed`: the client shut its side meanwhile.
        case answering(counts: Bool, inputClosed: Bool)
        /// The last answer is going out, then the connection closes; nothing more is read.
        case closing
        /// A request was refused (head or body too large, refused from its head): the answer
        /// goes out, then the output closes and the input is drained for a short while.
        /// `byHead`: the head limit refused it, so bytes are dropped before the decoder.
        case refused(byHead: Bool)
        case closed
        /// Holds no data while a body is appended, so the buffer is not copied on write.
        case modifying
    }

    /// What runs out at the deadline.
    enum Timeout: Equatable {
        case idle, read, write, linger
    }

    /// Bytes read, before the HTTP decoder (`HeadLimiter`).
    enum ReadAction: Equatable {
        /// Pass them on; `arm`: a request begins, its read deadline.
        case forward(arm: NIODeadline?)
        /// Answer 413 for a head over `maxHead` bytes, then linger.
        case refuseHead(maxHead: Int, arm: NIODeadline?)
        case drop
    }

    /// A decoded request part (`ConnectionHandler`).
    enum PartAction {
        case none
        /// A held-back pipelined request begins: its read deadline.
        case arm(NIODeadline)
        /// Answer 413 for a body over `limit` bytes, then linger.
        case refuseBody(limit: Int)
        /// Answer the router's refusal decided from the head, then linger.
        case refuseEarly(VaultResponse)
        /// The request is complete: answer it.
        case dispatch(VaultRequest)
    }

    /// How an answer ends.
    enum AnswerAction: Equatable {
        /// Flush it and wait for the next request until `idleUntil`.
        case keepOpen(idleUntil: NIODeadline)
        /// The client has shut its side: close once every byte written so far is out.
        case closeWhenFlushed(writeUntil: NIODeadline)
        /// Close once the answer's end is written.
        case closeAfterEnd(writeUntil: NIODeadline)
        /// Close the output once the answer's end is written, then linger (`refusalWritten`).
        case lingerAfterEnd(writeUntil: NIODeadline)
    }

    /// The client shut its sending side.
    enum InputClosedAction: Equatable {
        /// An answer is due: it goes out first.
        case wait
        case closeWhenFlushed(writeUntil: NIODeadline)
    }

    /// The timer fired.
    enum TimerAction: Equatable {
        case close(Timeout)
        /// The deadline moved later meanwhile.
        case wait(until: NIODeadline)
        case none
    }

    let limits: HTTPLimits
    private(set) var state = State.idle
    /// When the connection closes unless an event moves it; `distantFuture`: never.
    private(set) var deadline = NIODeadline.distantFuture
    private(set) var deadlineFor = Timeout.idle
    /// When the connection was opened or last made a useful request: the idle timeout runs
    /// from here, so health checks alone do not keep a connection.
    private var lastUse = NIODeadline.uptimeNanoseconds(0)

    init(limits: HTTPLimits) { self.limits = limits }

    mutating func opened(now: NIODeadline) -> NIODeadline {
        state = .idle
        lastUse = now
        return arm(lastUse + limits.idleTimeout, .idle)
    }

    mutating func bytesRead(_ buffer: ByteBuffer, now: NIODeadline) -> ReadAction {
        var arm: NIODeadline?
        switch state {
        case .refused(byHead: true):
            return .drop
        case .idle:
            // The first byte of a request: the read timeout starts, the idle timeout stops.
            arm = self.arm(now + limits.readTimeout, .read)
            state = .readingHead(bytes: 0, tail: [])
        default:
            break
        }
        guard case .readingHead(var bytes, let tail) = state else { return .forward(arm: arm) }
        // Only bytes up to the blank line that ends the head count; body bytes that arrive in
        // the same read are the body limit's business.
        let end = buffer.readableBytesView.withContiguousStorageIfAvailable { HeadLimiter.headEnd($0, carried: tail) } ?? nil
        if let end {
            bytes += end
            state = .headComplete
        } else {
            bytes += buffer.readableBytes
            state = .readingHead(bytes: bytes, tail: Array(buffer.readableBytesView.suffix(3)))
        }
        guard bytes <= limits.maxHead else {
            state = .refused(byHead: true)
            return .refuseHead(maxHead: limits.maxHead, arm: arm)
        }
        return .forward(arm: arm)
    }

    /// `refuseEarly` is the router's refusal from the head alone, asked only of a head that is read.
    mutating func headReceived(_ head: HTTPRequestHead, now: NIODeadline,
                               refuseEarly: (HTTPRequestHead) -> VaultResponse?) -> PartAction {
        var action = PartAction.none
        switch state {
        case .idle:
            // A pipelined request held back while the one before it was answered.
            action = .arm(arm(now + limits.readTimeout, .read))
        case .readingHead, .headComplete:
            break
        case .readingBody, .answering, .closing, .refused, .closed, .modifying:
            return .none
        }
        if let early = refuseEarly(head) {
            state = .refused(byHead: false)
            return .refuseEarly(early)
        }
        let limit = limits.maxBody(forURI: head.uri)
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
            // Refused at once rather than read a body that is announced too big.
            state = .refused(byHead: false)
            return .refuseBody(limit: limit)
        }
        state = .readingBody(head, body: ByteBuffer(), limit: limit)
        return action
    }

    mutating func bodyReceived(_ chunk: inout ByteBuffer) -> PartAction {
        guard case .readingBody(let head, var body, let limit) = state else { return .none }
        guard body.readableBytes + chunk.readableBytes <= limit else {
            state = .refused(byHead: false)
            return .refuseBody(limit: limit)
        }
        state = .modifying
        body.writeBuffer(&chunk)
        state = .readingBody(head, body: body, limit: limit)
        return .none
    }

    mutating func requestEnded() -> PartAction {
        guard case .readingBody(let head, let body, _) = state else { return .none }
        let request = VaultRequest(method: head.method, uri: head.uri, headers: head.headers, body: body, keepAlive: head.isKeepAlive)
        // No timeout runs while the request is answered.
        deadline = .distantFuture
        // Health checks keep no connection alive past idle_timeout: only other requests count.
        state = .answering(counts: !(request.method == .GET && request.path == "/v1/health"), inputClosed: false)
        return .dispatch(request)
    }

    /// A chunk of a streamed answer is going out: a client that stops reading gets the idle
    /// timeout per chunk.
    mutating func chunkWriting(now: NIODeadline) -> NIODeadline {
        arm(now + limits.idleTimeout, .write)
    }

    /// An answer (whole or streamed) has been written up to its end, which goes out next.
    mutating func answerEnded(keepAlive: Bool, now: NIODeadline) -> AnswerAction {
        let writeUntil = now + limits.idleTimeout
        switch state {
        case .refused:
            return .lingerAfterEnd(writeUntil: arm(writeUntil, .write))
        case .answering(let counts, let inputClosed) where keepAlive:
            if inputClosed {
                state = .closing
                return .closeWhenFlushed(writeUntil: arm(writeUntil, .write))
            }
            state = .idle
            if counts { lastUse = now }
            return .keepOpen(idleUntil: arm(lastUse + limits.idleTimeout, .idle))
        case .closed:
            return .closeAfterEnd(writeUntil: writeUntil)
        case .idle, .readingHead, .headComplete, .readingBody, .answering, .closing, .modifying:
            state = .closing
            return .closeAfterEnd(writeUntil: arm(writeUntil, .write))
        }
    }

    /// A refusal is out and the output closed: input is drained for a short while at most, then
    /// the connection is closed whatever the client still sends.
    mutating func refusalWritten(now: NIODeadline) -> NIODeadline {
        arm(now + min(limits.readTimeout, .seconds(2)), .linger)
    }

    /// A request followed at once by the client's shutdown (`nc -N`, scripts) is answered: the
    /// answer goes out, then the connection closes.
    mutating func inputClosed(now: NIODeadline) -> InputClosedAction {
        switch state {
        case .answering(let counts, _):
            state = .answering(counts: counts, inputClosed: true)
            return .wait
        case .closing, .closed:
            return .wait
        case .idle, .readingHead, .headComplete, .readingBody, .refused, .modifying:
            state = .closing
            // A client that stops reading meanwhile is cut after the idle timeout.
            return .closeWhenFlushed(writeUntil: arm(now + limits.idleTimeout, .write))
        }
    }

    mutating func timerFired(now: NIODeadline) -> TimerAction {
        guard case .closed = state else {
            if deadline <= now {
                state = .closed
                return .close(deadlineFor)
            }
            return deadline == .distantFuture ? .none : .wait(until: deadline)
        }
        return .none
    }

    /// A pipeline error: the connection is closed.
    mutating func errorCaught() {
        state = .closed
    }

    mutating func closed() {
        state = .closed
        deadline = .distantFuture
    }

    private mutating func arm(_ at: NIODeadline, _ what: Timeout) -> NIODeadline {
        deadline = at
        deadlineFor = what
        return at
    }
}
