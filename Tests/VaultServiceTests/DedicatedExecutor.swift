import Foundation

/// A task executor with one thread of its own, for tests that time async code. On a machine
/// with two cores the cooperative pool has two threads, and the synchronous end-to-end tests
/// hold them for seconds at a time while their processes run; a timed call whose continuation
/// waits for one of them would measure that wait, not the vault.
final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is touched only under `condition`'s lock.
    static let shared = DedicatedExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "dedicated-executor"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        jobs.append(UnownedJob(job))
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs in the order they came, for the life of the process (the executor is shared).
    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
