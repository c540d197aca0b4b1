import Logging
import ServiceLifecycle
import VaultService

/// Keeps this host's caches true to a shared store (Docs/fleet.md): listens for the fleet's
/// change notices and applies each, listens again after a lost connection (re-reading every
/// change past the last one seen), and also looks every `poll` in case a notice was lost.
struct ChangeFollower: Service, CustomStringConvertible {
    let service: VaultService
    let logger: Logger
    var poll: Duration = .seconds(2)
    var retry: Duration = .milliseconds(250)

    var description: String { "change follower" }

    func run() async {
        // A store of one host has no changes to follow; the service still waits for the
        // shutdown, since a service that returns ends the daemon's whole group.
        guard await service.followsChanges else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen() }
                group.addTask { await pollLoop() }
                await group.waitForAll()
            }
        }
    }

    private func listen() async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await service.listenForChanges { await apply() }
                failing = false
            } catch {
                if !failing, !Task.isCancelled { logger.warning("lost the change listener; listening again", metadata: ["error": "\(error)"]) }
                failing = true
            }
            await apply()
            try? await Task.sleep(for: retry)
        }
    }

    private func pollLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: poll)
            await apply()
        }
    }

    private func apply() async {
        do { try await service.applyRemoteChanges() } catch ServiceError.storeUnavailable(let why) {
            logger.debug("cannot read the fleet's changes", metadata: ["error": "\(why)"])
        } catch {
            logger.error("cannot apply the fleet's changes", metadata: ["error": "\(error)"])
        }
    }
}
