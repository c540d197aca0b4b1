import VaultStore

/// A fleet host's minute of upkeep, run on a thread of the daemon's: a store gone silent holds
/// that thread, never the requests.
public struct FleetUpkeep: Sendable {
    let store: PostgresStore
    let now: Int64

    public func run() {
        try? store.markSeen(now: now)
        try? store.purgeNonces()
    }
}
