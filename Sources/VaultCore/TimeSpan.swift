import Foundation

/// A duration written the way operators write them in config and flags: `90d`, `12h`, `30m`,
/// `45s`, `2w`, or `0`. Stored as whole seconds.
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let seconds: Int64
    /// Ten years: anything longer is a typo, not a policy.
    public static let maximum: Int64 = 10 * 366 * 86_400

    public init(seconds: Int64) { self.seconds = seconds }

    public init(parsing text: String) throws(CoreError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "0" { seconds = 0; return }
        guard let unit = t.last, let scale = Self.scale(unit),
              let n = StrictInteger.decimal(t.dropLast()),
              n <= Self.maximum / scale else {
            throw .invalidTimeSpan(Echo.short(text))
        }
        seconds = n * scale
    }

    public static func days(_ d: Int64) -> TimeSpan { TimeSpan(seconds: d * 86_400) }

    /// The shortest exact rendering (`90d`, `36h`, `0`).
    public var description: String {
        if seconds == 0 { return "0" }
        for (unit, scale) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % scale == 0 {
            if unit == "w" { return "\(seconds / 86_400)d" }
            return "\(seconds / scale)\(unit)"
        }
        return "\(seconds)s"
    }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds < b.seconds }

    static func scale(_ unit: Character) -> Int64? {
        switch unit {
        case "s": 1
        case "m": 60
        case "h": 3_600
        case "d": 86_400
        case "w": 604_800
        default: nil
        }
    }
}
