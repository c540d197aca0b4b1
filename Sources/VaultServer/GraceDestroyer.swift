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
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
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
