import Foundation
import NIOCore

extension EventLoopFuture {
    /// The result, blocking this thread until it is there. Unlike `wait()` it may be called on
    /// another event loop's thread: the vault's actor runs on the daemon's loop and its storage
    /// API is synchronous (as SQLite's disk writes block it); the store's connections run on an
    /// event loop of their own, so this never waits on itself.
    ///
    /// With `seconds`, a server that has not answered by then is given up on: `giveUp` runs
    /// once (closing the connection, which fails what waits on it), the wait goes on until the
    /// future is done unless `waitsAfterGivingUp` is false, and it ends in
    /// `StoreError.unavailable`. Neither a hung server nor a network that drops packets without
    /// a word then holds a caller for longer than that.
    func blockingResult(within seconds: Double? = nil, waitsAfterGivingUp: Bool = true, giveUp: () -> Void = {}) throws -> Value {
        let done = NSCondition()
        nonisolated(unsafe) var outcome: Result<Value, any Error>?
        whenComplete { r in
            done.lock()
            outcome = r
            done.signal()
            done.unlock()
        }
        var deadline = seconds.map { Date().addingTimeInterval($0) }
        var gaveUp = false
        done.lock()
        while outcome == nil {
            guard let until = deadline else {
                done.wait()
                continue
            }
            if !done.wait(until: until), outcome == nil {
                deadline = nil
                gaveUp = true
                done.unlock()
                giveUp()
                done.lock()
                if !waitsAfterGivingUp { break }
            }
        }
        let r = outcome
        done.unlock()
        let silence = StoreError.unavailable("no answer from the server in \(Int(seconds ?? 0)) s")
        // Given up on without waiting: whatever came in meanwhile is being undone by `giveUp`.
        if gaveUp, !waitsAfterGivingUp { throw silence }
        guard let r else { throw silence }
        if gaveUp, case .failure = r { throw silence }
        return try r.get()
    }
}
