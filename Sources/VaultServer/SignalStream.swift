import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// POSIX signals as an async stream (the default actions are disabled for them).
final class SignalStream: @unchecked Sendable {
    // @unchecked: the sources are only kept alive here, never touched after init.
    let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        var cont: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { cont = $0 }
        let continuation = cont!
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { continuation.yield(sig) }
            s.resume()
            return s
        }
    }
}
