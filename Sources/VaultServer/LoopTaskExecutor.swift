import NIOConcurrencyHelpers
import NIOCore

/// Runs tasks on an event loop. The asynchronous routes (the proxy, the admin socket) run on
/// the loop that serves their connection, where the vault's actor also lives, so awaiting the
/// actor, the upstream client and the channel writes is a same-thread enqueue rather than a
/// wake-up of another thread for each step.
final class LoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: immutable; the loop serialises the jobs.
    let loop: any EventLoop

    private init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        loop.execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    private static let all = NIOLockedValueBox<[ObjectIdentifier: LoopTaskExecutor]>([:])

    /// The one executor of `loop`.
    static func of(_ loop: any EventLoop) -> LoopTaskExecutor {
        all.withLockedValue { all in
            if let e = all[ObjectIdentifier(loop)] { return e }
            let e = LoopTaskExecutor(loop)
            all[ObjectIdentifier(loop)] = e
            return e
        }
    }
}

extension EventLoop {
    /// Starts `body` as a task that prefers this loop's thread.
    func runTask(_ body: @escaping @Sendable () async -> Void) {
        if #available(macOS 15.0, *) {
            Task(executorPreference: LoopTaskExecutor.of(self)) { await body() }
        } else {
            Task { await body() }
        }
    }
}
