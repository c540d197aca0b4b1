import VaultStore

/// A fleet host's minute of upkeep, run on a thread of the daemon's: a store gone silent holds
/// that thread, never the requests.
public struct FleetUpkeep: Sendable {
    let store: PostgresStore
    let watermark: FleetWatermarkFile
    let now: Int64

    /// Says the host is alive, forgets expired nonces, and checks the store against what this
    /// host saw (`FleetWatermarkFile`): why it refuses the store, or nil.
    public func run() -> String? {
        try? store.markSeen(now: now)
        _ = try? store.purgeNonces()
        do { try watermark.check(store) } catch {
            if case .tampered(let why) = error { return why }
        }
        return nil
    }
}
