import CVaultSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// POSIX signals as an async stream. A C handler writes each signal's number to a pipe that one
/// thread reads: whichever thread the kernel interrupts, and whatever signal mask the daemon
/// inherited from its parent, a SIGTERM or SIGHUP is never dropped.
final class SignalStream: Sendable {
    let stream: AsyncStream<Int32>

    init(_ signals: [Int32]) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            // Without a pipe the signals keep their default actions: SIGTERM still ends the
            // daemon, only without draining.
            stream = AsyncStream { $0.finish() }
            return
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // A full pipe must not block the handler; the reader drains it.
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        var cont: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { cont = $0 }
        let continuation = cont!
        Thread.detachNewThread {
            var b: UInt8 = 0
            while true {
                let n = read(readEnd, &b, 1)
                if n == 1 { continuation.yield(Int32(b)) } else if n < 0 && errno == EINTR { continue } else { break }
            }
            continuation.finish()
        }
        for sig in signals { _ = vv_signal_to_pipe(sig, writeEnd) }
    }
}
