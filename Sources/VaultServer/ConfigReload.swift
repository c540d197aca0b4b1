import Foundation
import Logging
import VaultCore
import VaultService

/// Rereads the configuration and puts its policy in force, for SIGHUP (`Reloader`) and for
/// `POST /v1/admin/reload` (`vobiz-vault reload`, the unit's `ExecReload=`), which waits for the
/// outcome. A broken file keeps the policy in force and says why. systemd hears `RELOADING=1`
/// as the reload starts and `READY=1` when it is over, whatever the outcome.
struct ConfigReload: Sendable {
    let service: VaultService
    let configPath: String?
    let loadConfig: @Sendable (String?) throws -> VaultConfig
    let logger: Logger

    enum Outcome: Sendable, Equatable {
        case reloaded(grants: Int)
        case refused(String)
    }

    func run() async -> Outcome {
        Systemd.notify("RELOADING=1\nMONOTONIC_USEC=\(DispatchTime.now().uptimeNanoseconds / 1000)")
        defer { Systemd.notify("READY=1") }
        do {
            let fresh = try loadConfig(configPath)
            await service.reload(policy: fresh.policy)
            await service.noteReload(error: nil)
            logger.info("policy reloaded", metadata: ["grants": "\(fresh.grants.count)"])
            return .reloaded(grants: fresh.grants.count)
        } catch {
            await service.noteReload(error: "\(error)")
            logger.error("reload failed; keeping the policy in force", metadata: ["error": "\(error)"])
            return .refused("\(error)")
        }
    }
}
