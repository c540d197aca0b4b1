import Foundation

/// Renders Unix times for people and machines: RFC 3339 in UTC, the only format the CLI prints.
public enum Timestamp {
    /// `2026-11-29T04:33:45Z`.
    public static func iso(_ seconds: Int64) -> String {
        format(seconds, "%04d-%02d-%02dT%02d:%02d:%02dZ", time: true)
    }

    /// `2026-11-29`.
    public static func date(_ seconds: Int64) -> String {
        format(seconds, "%04d-%02d-%02d", time: false)
    }

    /// Formats by hand: this runs for every answer the daemon gives, and `String(format:)`
    /// goes through Foundation's locale machinery.
    static func format(_ seconds: Int64, _ pattern: String, time: Bool) -> String {
        let (y, mo, d) = civil(fromDays: floorDiv(seconds, 86_400))
        let s = seconds - floorDiv(seconds, 86_400) * 86_400
        var out = pad(y, 4) + "-" + pad(mo, 2) + "-" + pad(d, 2)
        if time { out += "T" + pad(Int(s / 3600), 2) + ":" + pad(Int(s / 60 % 60), 2) + ":" + pad(Int(s % 60), 2) + "Z" }
        return out
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm),
    /// so formatting needs no locale, time zone or calendar object.
    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }
}
