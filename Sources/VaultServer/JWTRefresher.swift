import ServiceLifecycle
import VaultService

/// Refresh-ahead of the partner JWT sessions in use; their own timing decides who is due.
struct JWTRefresher: Service, CustomStringConvertible {
    let service: VaultService

    var description: String { "JWT refresher" }

    func run() async {
        // A login already in flight is not cut short (other callers may be waiting on it): a
        // stop waits for it, at most `[upstream] timeout`, after the sockets have drained.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await service.refreshJWTSessions()
            }
        }
    }
}
