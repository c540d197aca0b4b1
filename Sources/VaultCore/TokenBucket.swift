/// A token bucket: `rate` requests per second, bursts up to `rate` (at least 1). Time is passed
/// in, so the rule is testable without clocks.
public struct TokenBucket: Sendable {
    public let rate: Double
    private var tokens: Double
    private var last: Double

    public init(rate: Double, now: Double) {
        self.rate = rate
        tokens = max(rate, 1)
        last = now
    }

    /// Takes one token if there is one.
    public mutating func take(now: Double) -> Bool {
        tokens = min(max(rate, 1), tokens + (now - last) * rate)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
