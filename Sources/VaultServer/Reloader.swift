import Foundation
import Logging
import ServiceLifecycle
import VaultCore
import VaultService

/// SIGHUP: rereads the configuration. A broken file keeps the policy in force and says why.
struct Reloader: Service, CustomStringConvertible {
    let hangups: SignalStream
    let service: VaultService
    let configPath: String?
    let loadConfig: @Sendable (String?) throws -> VaultConfig
    let logger: Logger

    var description: String { "SIGHUP reloader" }

    func run() async {
        // A reload under way finishes; a SIGHUP once the daemon is stopping is not acted on.
        for await _ in hangups.stream.cancelOnGracefulShutdown() {
            await reload()
        }
    }

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
}
