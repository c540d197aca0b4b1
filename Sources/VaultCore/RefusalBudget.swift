/// What refusals of unauthenticated requests (the proxy's TCP listener, where anyone on the host
/// may send a well-formed signature that does not verify) may cost the vault. The first refusal
/// from a source in each interval gets an audit row of its own; the rest are counted and written
/// as one summary row when the interval ends; past `perSecond` (bursts of as many) a source
/// is told to slow down and its connection is closed. Time is passed in (seconds).
public struct RefusalBudget: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Audit this refusal as usual.
        case audit
        /// Counted into the source's summary row; no row of its own.
        case count
        /// Counted, and the source is over its rate: answer 429 and close.
        case overCap
    }

    /// The refusals of one source in one interval beyond the first, which had its own row.
    public struct Summary: Equatable, Sendable {
        public var source: String
        public var count: Int
        public var from: Int64
        public var to: Int64

        public init(source: String, count: Int, from: Int64, to: Int64) {
            self.source = source
            self.count = count
            self.from = from
            self.to = to
        }
    }

    struct Entry {
        var start: Int64
        var counted = 0
        var bucket: TokenBucket
    }

    public let interval: Int64
    public let perSecond: Double
    /// Sources followed at once; past it the oldest interval is closed early (its summary written).
    public let maxSources: Int
    private var entries: [String: Entry] = [:]
    private var early: [Summary] = []

    public init(interval: Int64 = 10, perSecond: Double = 20, maxSources: Int = 1024) {
        self.interval = interval
        self.perSecond = perSecond
        self.maxSources = maxSources
    }

    public mutating func note(source: String, now: Int64) -> Decision {
        guard var e = entries[source] else {
            if entries.count >= maxSources, let oldest = entries.min(by: { $0.value.start < $1.value.start }) {
                close(oldest.key, now: now)
            }
            var bucket = TokenBucket(rate: perSecond, now: Double(now))
            _ = bucket.take(now: Double(now))
            entries[source] = Entry(start: now, bucket: bucket)
            return .audit
        }
        e.counted += 1
        let within = e.bucket.take(now: Double(now))
        entries[source] = e
        return within ? .count : .overCap
    }

    /// The summaries of intervals that have ended, each once.
    public mutating func due(now: Int64) -> [Summary] {
        for (source, e) in entries where e.start &+ interval <= now { close(source, now: now) }
        defer { early = [] }
        return early
    }

    private mutating func close(_ source: String, now: Int64) {
        guard let e = entries.removeValue(forKey: source) else { return }
        if e.counted > 0 { early.append(Summary(source: source, count: e.counted, from: e.start, to: min(now, e.start &+ interval))) }
    }
}
