import ServiceLifecycle
import VaultService

/// Zeroes opened tokens once they have gone unused for `VaultService.tokenCacheSeconds`: a timer
/// of its own, so how long a token stays in memory depends on nothing else the daemon does.
struct TokenEvictor: Service, CustomStringConvertible {
    let service: VaultService
    var interval: Duration = .seconds(1)

    var description: String { "token evictor" }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await service.evictTokens()
            }
        }
    }
}
