import VaultStore

/// A fleet host's upkeep, run on a thread of the daemon's at each look of its change follower
/// (every 2 s): a store gone silent holds that thread, never the requests.
public struct FleetUpkeep: Sendable {
    let store: PostgresStore
    /// What this host saw of the store; nil when there is nothing to check it for.
    let watermark: FleetWatermarkFile?
    /// Whether this look is the minute's: the host marks itself seen and forgets expired nonces.
    public let minute: Bool
    let now: Int64

    /// Checks the store against what this host saw (`FleetWatermarkFile`), so that a database
    /// put back under a running host is refused within a look of it: why it refuses the
    /// store, or nil.
    public func run() -> String? {
        if minute {
            try? store.markSeen(now: now)
            _ = try? store.purgeNonces()
        }
        do { try watermark?.check(store) } catch {
            if case .tampered(let why) = error { return why }
        }
        return nil
    }
}
