import Dispatch

/// The vault's executor when no event loop hosts it (offline commands, tests): a serial
/// dispatch queue. The daemon passes its event loop instead, so requests are answered on the
/// loop without a thread hop.
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: the queue serialises every job; the class has no other state.
    private let queue = DispatchQueue(label: "vobiz-vault.service")

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
