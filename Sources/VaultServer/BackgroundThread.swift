import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One long-lived thread at a lower scheduling priority (nice 10), for work that must not
/// preempt the event loop: committing audit batches (fsync, MACs) while requests are served.
final class BackgroundThread: @unchecked Sendable {
    // @unchecked: `jobs` is guarded by `lock`; the thread is the only consumer.
    private let lock = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    /// Jobs queued or running.
    private var pending = 0
    /// A `runIfIdle` was turned away since the last `takeTurnedAway`.
    private var turnedAway = false

    init(name: String) {
        let thread = Thread { [self] in
            // On Linux, nice is per thread: who = 0 is this thread only.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            while true {
                lock.lock()
                while jobs.isEmpty { lock.wait() }
                let job = jobs.removeFirst()
                lock.unlock()
                job()
                lock.lock()
                pending -= 1
                lock.unlock()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            lock.lock()
            pending += 1
            jobs.append { c.resume(returning: body()) }
            lock.signal()
            lock.unlock()
        }
    }

    /// Whether a `runIfIdle` was turned away since the last call: its work is owed.
    func takeTurnedAway() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let was = turnedAway
        turnedAway = false
        return was
    }

    /// Runs `body` on the thread unless another job is queued or running there: nil then.
    /// Periodic work that waits on a server does not pile up behind one that is not answering.
    func runIfIdle<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            lock.lock()
            defer { lock.unlock() }
            guard pending == 0 else {
                turnedAway = true
                return c.resume(returning: nil)
            }
            pending += 1
            jobs.append { c.resume(returning: body()) }
            lock.signal()
        }
    }
}
