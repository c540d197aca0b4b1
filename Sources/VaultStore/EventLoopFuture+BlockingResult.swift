import Foundation
import NIOCore

extension EventLoopFuture {
    /// The result, blocking this thread until it is there. Unlike `wait()` it may be called on
    /// another event loop's thread: the vault's actor runs on the daemon's loop and its storage
    /// API is synchronous (as SQLite's disk writes block it); the store's connections run on an
    /// event loop of their own, so this never waits on itself.
    func blockingResult() throws -> Value {
        let done = NSCondition()
        nonisolated(unsafe) var outcome: Result<Value, any Error>?
        whenComplete { r in
            done.lock()
            outcome = r
            done.signal()
            done.unlock()
        }
        done.lock()
        while outcome == nil { done.wait() }
        let r = outcome!
        done.unlock()
        return try r.get()
    }
}
