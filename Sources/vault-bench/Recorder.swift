/// Latencies in nanoseconds, per connection (no locking on the hot path).
final class Recorder: @unchecked Sendable {
    var samples: [UInt64] = []
    var errors = 0
    init() { samples.reserveCapacity(1 << 20) }
}
