import Logging
import ServiceLifecycle
import VaultCore
import VaultService

/// Destroys token versions whose grace has ended within seconds, not only when an admin command
/// happens to come (Docs/key-management.md: the ciphertext does not outlive its grace).
struct GraceDestroyer: Service, CustomStringConvertible {
    let service: VaultService
    let logger: Logger
    /// How often it looks for token versions whose grace has ended.
    var interval: Duration = .seconds(5)

    var description: String { "grace destroyer" }

    func run() async {
        // On a shared store the look is made on a thread of its own: a server gone silent holds
        // that thread, not the service's actor and the requests behind it.
        let looker = await service.followsChanges ? BackgroundThread(name: "grace-check") : nil
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    if let looker {
                        let check = await service.pastGraceCheck()
                        let due = await looker.run { () -> Result<Bool, ServiceError> in
                            do throws(ServiceError) { return .success(try check.anyDue()) } catch { return .failure(error) }
                        }
                        guard try due.get() else {
                            failing = false
                            try? await Task.sleep(for: interval)
                            continue
                        }
                    }
                    let n = try await service.destroyExpired(actor: .current())
                    if n > 0 { logger.notice("destroyed token versions past their grace", metadata: ["count": "\(n)"]) }
                    failing = false
                } catch {
                    // Said once per failing spell (a full or read-only disk would repeat it every 5 s).
                    if !failing { logger.error("cannot destroy token versions past their grace", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
