#if canImport(Glibc)
import Glibc
#endif

/// The one source of wall-clock time for every rule, row and answer, so tests can move time
/// and every part of the vault agrees on what "now" is.
public struct VaultClock: Sendable {
    private let readMillis: @Sendable () -> Int64

    /// A clock read in milliseconds since the Unix epoch.
    public init(millis: @escaping @Sendable () -> Int64) { readMillis = millis }

    /// A clock read in whole seconds since the Unix epoch (its milliseconds are zero).
    public init(seconds: @escaping @Sendable () -> Int64) { readMillis = { seconds() * 1000 } }

    public var millis: Int64 { readMillis() }
    public var seconds: Int64 { readMillis() / 1000 }
    /// Seconds with a fractional part, for rate buckets.
    public var fractionalSeconds: Double { Double(readMillis()) / 1000 }

    /// The system's real-time clock.
    public static let system = VaultClock(millis: {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    })
}
