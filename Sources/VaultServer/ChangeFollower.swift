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
        // Where the changes are read: a store gone silent holds this thread, not the service's actor.
        let reader = BackgroundThread(name: "change-reader")
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(reader) }
                group.addTask { await pollLoop(reader) }
                await group.waitForAll()
            }
        }
    }

    private func listen(_ reader: BackgroundThread) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await service.listenForChanges { await apply(reader) }
                failing = false
            } catch {
                if !failing, !Task.isCancelled { logger.warning("lost the change listener; listening again", metadata: ["error": "\(error)"]) }
                failing = true
            }
            await apply(reader)
            try? await Task.sleep(for: retry)
        }
    }

    /// Also the host's upkeep (`FleetUpkeep`) at each look, on the same thread.
    private func pollLoop(_ reader: BackgroundThread) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: poll)
            if let upkeep = await service.fleetUpkeep() {
                switch await reader.runIfIdle({ upkeep.run() }) {
                case .none: await service.fleetUpkeepSkipped(upkeep)
                case .some(.none): break
                case .some(.some(let why)):
                    await service.refuseRolledBackStore()
                    logger.critical("the fleet's database is older than this host saw; its keys are dropped and requests refused",
                                    metadata: ["why": "\(why)"])
                }
            }
            await apply(reader)
        }
    }

    /// Reads the changes on the follower's own thread, then applies them on the service's actor.
    /// While a read waits on the server, notices and polls are not queued behind it; one turned
    /// away meanwhile may name a change after the read's snapshot, so the changes are read again.
    private func apply(_ reader: BackgroundThread) async {
        for _ in 0..<8 {
            guard let read = await service.changeRead() else { return }
            do {
                guard let result = await reader.runIfIdle({ () -> Result<ChangeRead.Found, ServiceError> in
                    do throws(ServiceError) { return .success(try read.fetch()) } catch { return .failure(error) }
                }) else { return }
                try await service.applyRemoteChanges(try result.get())
            } catch ServiceError.storeUnavailable(let why) {
                logger.debug("cannot read the fleet's changes", metadata: ["error": "\(why)"])
                return
            } catch {
                logger.error("cannot apply the fleet's changes", metadata: ["error": "\(error)"])
                return
            }
            guard reader.takeTurnedAway() else { return }
        }
    }
}
