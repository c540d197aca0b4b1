import Foundation
import VaultService

/// The daemon's work beside the sockets: SIGHUP reloads and the audit timer.
extension VaultDaemon {
    /// Rereads the configuration; a broken file keeps the policy in force and says why.
    func reload() async {
        Systemd.notify("RELOADING=1\nMONOTONIC_USEC=\(DispatchTime.now().uptimeNanoseconds / 1000)")
        do {
            let fresh = try loadConfig(configPath)
            await service.reload(policy: fresh.policy)
            await service.noteReload(error: nil)
            logger.info("policy reloaded", metadata: ["grants": "\(fresh.grants.count)"])
        } catch {
            await service.noteReload(error: "\(error)")
            logger.error("reload failed; keeping the policy in force", metadata: ["error": "\(error)"])
        }
        Systemd.notify("READY=1")
    }

    /// Commits queued audit rows every 50 ms. In batch mode the commit runs here, off the
    /// event loop, so requests are not held up by the disk; in sync mode each request commits
    /// its own row and this only retries after a failure.
    func flushAudit() async {
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
