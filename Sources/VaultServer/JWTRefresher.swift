import ServiceLifecycle
import VaultService

/// Refresh-ahead of the partner JWT sessions in use; their own timing decides who is due.
struct JWTRefresher: Service, CustomStringConvertible {
    let service: VaultService

    var description: String { "JWT refresher" }

    func run() async {
        // A login in flight is cancelled with the loop (the upstream call honours cancellation),
        // so shutdown never waits for an upstream timeout.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await service.refreshJWTSessions()
            }
        }
    }
}
