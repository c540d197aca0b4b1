import Logging
import ServiceLifecycle
import VaultService

/// The audit log's timer: every 50 ms the service commits what is queued (`commitQueuedAudit`),
/// the rows themselves on a thread of their own, off the event loop. A failing disk does not
/// stop it: the service refuses credential use meanwhile (fail-closed), and the loop keeps
/// trying until a commit succeeds; the change either way is logged once.
struct AuditFlusher: Service, CustomStringConvertible {
    let service: VaultService
    let logger: Logger

    var description: String { "audit flusher" }

    func run() async {
        // The last rows are committed by the daemon once every service has stopped, so the loop
        // need not finish a turn: it ends like a cancelled task.
        await cancelWhenGracefulShutdown { await flush() }
    }

    private func flush() async {
        let committer = BackgroundThread(name: "audit-commit")
        var wasFailing = false
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            let ok = await service.commitQueuedAudit { batch in await committer.run { batch.commit(yieldingEvery: 8) } }
            if ok == wasFailing {
                wasFailing = !ok
                if ok {
                    logger.notice("audit log writable again; requests accepted")
                } else {
                    let why = await service.auditStatus.lastError ?? ""
                    logger.critical("audit log cannot be written; refusing requests that use credentials", metadata: ["error": "\(why)"])
                }
            }
        }
    }
}
