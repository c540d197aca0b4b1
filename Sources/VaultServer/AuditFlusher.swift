import Logging
import ServiceLifecycle
import VaultService

/// Commits queued audit rows every 50 ms. In batch mode the commit runs here, off the event loop,
/// so requests are not held up by the disk; in sync mode each request commits its own row and
/// this only retries after a failure. A failing disk does not stop it: the service refuses
/// credential use meanwhile (fail-closed), and the loop keeps trying until a commit succeeds.
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
            await service.evictTokens()
            await service.writeRefusalSummaries()
            let ok: Bool
            if service.config.audit.durability == .batch, let batch = await service.takeAuditBatch() {
                let error = await committer.run { batch.commit(yieldingEvery: 8) }
                await service.finishAuditBatch(batch, error: error)
                ok = error == nil
            } else {
                ok = await service.flushAudit()
            }
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
