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

    init(_ signals: [Int32]) throws(DaemonError) {
        var fds: [Int32] = [-1, -1]
        let rc = vv_signal_pipe(&fds)
        guard rc == 0 else { throw .signalPipe(-rc) }
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
