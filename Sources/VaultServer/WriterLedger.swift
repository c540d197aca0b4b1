import CVaultSystem
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who wrote the bytes of one Unix connection. The kernel tags every write on a socket with
/// `SO_PASSCRED` with its sender and never joins two senders' bytes in one read; the ledger
/// peeks at the sender of the next bytes just before NIO reads them (`AttestedRecvAllocator`),
/// and `WriterGate` charges each read to that sender. A process that shares a connection it
/// did not open (connect, fork, exec the granted program, write from the child) is caught here.
///
/// Touched on the channel's event loop only.
final class WriterLedger: @unchecked Sendable {
    /// What the last peek saw at the head of the receive queue.
    enum Verdict: Equatable {
        /// No peek since the last read: the bytes of a read are unattributed.
        case unknown
        /// Nothing was queued (the read that follows finds EOF).
        case nothing
        /// The next bytes were written by this process (pid 0: no sender attached).
        case writer(pid: Int32, uid: UInt32)
    }

    /// A request's bytes came from another process than the one that connected.
    struct Foreign: Equatable {
        var pid: Int32
        var uid: UInt32
    }

    private let fd: Int32
    private let attestedPID: Int32
    private var verdict = Verdict.unknown
    /// The first foreign write seen; the connection is refused from then on.
    private(set) var foreign: Foreign?

    init(fd: Int32, attestedPID: Int32) {
        self.fd = fd
        self.attestedPID = attestedPID
    }

    /// Called right before each read of the socket.
    func peek() {
        var pid: pid_t = 0
        var uid: uid_t = 0
        let r = vv_peek_writer(fd, &pid, &uid)
        verdict = r > 0 ? .writer(pid: pid, uid: uid) : .nothing
    }

    /// Charges the bytes just read to the sender the last peek saw. Bytes read without a peek
    /// before them, or with no sender attached, count as foreign: nothing vouches for them.
    func charge() {
        defer { verdict = .unknown }
        guard foreign == nil else { return }
        switch verdict {
        case .writer(let pid, _) where pid == attestedPID: return
        case .writer(let pid, let uid): foreign = Foreign(pid: pid, uid: uid)
        case .unknown, .nothing: foreign = Foreign(pid: 0, uid: UInt32.max)
        }
    }
}

/// NIO's adaptive receive allocator, plus a peek at the sender of the bytes about to be read:
/// NIO asks `nextBufferSize()` immediately before every read of a stream socket, on the loop.
struct AttestedRecvAllocator: RecvByteBufferAllocator {
    let ledger: WriterLedger
    private var inner = AdaptiveRecvByteBufferAllocator()

    init(ledger: WriterLedger) { self.ledger = ledger }

    func nextBufferSize() -> Int? {
        ledger.peek()
        return inner.nextBufferSize() ?? 2048
    }

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        inner.buffer(allocator: allocator)
    }

    mutating func record(actualReadBytes: Int) -> Bool {
        inner.record(actualReadBytes: actualReadBytes)
    }
}

/// First in the pipeline of a Unix connection: charges every read to its writer.
final class WriterGate: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let ledger: WriterLedger

    init(ledger: WriterLedger) { self.ledger = ledger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        ledger.charge()
        context.fireChannelRead(data)
    }
}
