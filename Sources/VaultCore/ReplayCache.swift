/// Keys seen before and until when they stay refused: one-use nonces of sealed signatures
/// (until the signature expires) and callback nonces (for ten minutes). Expired entries are
/// dropped as the cache grows, so its size is bounded by the rate of accepted keys times their
/// lifetime; past `capacity` live entries new keys are refused rather than old ones forgotten.
public struct ReplayCache<Key: Hashable & Sendable>: Sendable {
    public enum Verdict: Equatable, Sendable {
        case fresh
        case replayed
        case full
    }

    public let capacity: Int
    private var until: [Key: Int64] = [:]
    private var nextSweep: Int
    /// When a sweep last found the cache full: no new sweep within the same second.
    private var fullAt: Int64 = .min

    public init(capacity: Int = 1_000_000) {
        self.capacity = capacity
        nextSweep = min(capacity, 1024)
    }

    public var count: Int { until.count }

    /// Records `key` as used until `expiry` unless it was already used and has not expired.
    public mutating func admit(_ key: Key, until expiry: Int64, now: Int64) -> Verdict {
        if let seen = until[key], seen >= now { return .replayed }
        if until.count >= nextSweep {
            if until.count >= capacity && fullAt == now { return .full }
            until = until.filter { $0.value >= now }
            // Sweep again when the cache has doubled, so sweeping stays amortised O(1).
            nextSweep = min(capacity, max(1024, until.count * 2))
            if until.count >= capacity {
                fullAt = now
                return .full
            }
        }
        until[key] = expiry
        return .fresh
    }

    /// Takes back an admission whose use did not happen (the fleet could not be asked), so that
    /// the caller's retry is not refused as a replay of itself.
    public mutating func forget(_ key: Key) {
        until[key] = nil
    }
}
