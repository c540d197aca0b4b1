import Glibc
import Testing
@testable import VaultServer

/// The ledger charges each read to the process the kernel says wrote it, and counts bytes it
/// could not attribute as foreign.
struct WriterLedgerTests {
    /// A connected pair with SO_PASSCRED on the reading end, and `bytes` written on the other.
    func pair(writing bytes: String) throws -> (reader: Int32, writer: Int32) {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        var on: Int32 = 1
        try #require(setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &on, socklen_t(MemoryLayout<Int32>.size)) == 0)
        try #require(write(fds[1], bytes, bytes.utf8.count) == bytes.utf8.count)
        return (fds[0], fds[1])
    }

    @Test func bytesOfTheAttestedProcessAreItsOwn() throws {
        let (r, w) = try pair(writing: "GET / HTTP/1.1\r\n")
        defer { close(r); close(w) }
        let ledger = WriterLedger(fd: r, attestedPID: getpid())
        ledger.peek()
        ledger.charge()
        #expect(ledger.foreign == nil)
    }

    @Test func bytesOfAnotherProcessAreForeign() throws {
        let (r, w) = try pair(writing: "GET / HTTP/1.1\r\n")
        defer { close(r); close(w) }
        let ledger = WriterLedger(fd: r, attestedPID: 1)
        ledger.peek()
        ledger.charge()
        #expect(ledger.foreign == WriterLedger.Foreign(pid: getpid(), uid: getuid()))
    }

    /// A read that no peek preceded (NIO read without asking the allocator first) is not
    /// vouched for: the connection fails closed.
    @Test func aReadWithoutAPeekIsForeign() throws {
        let (r, w) = try pair(writing: "x")
        defer { close(r); close(w) }
        let ledger = WriterLedger(fd: r, attestedPID: getpid())
        ledger.peek()
        ledger.charge()
        ledger.charge()
        #expect(ledger.foreign == WriterLedger.Foreign(pid: 0, uid: UInt32.max))
    }
}
