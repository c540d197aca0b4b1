/// How long a token may stay active, and how early to warn. Per account, falling back to
/// the `[rotation]` section of the config.
public struct RotationPolicy: Hashable, Sendable {
    public var maxAge: TimeSpan
    public var warn: TimeSpan

    public init(maxAge: TimeSpan, warn: TimeSpan) {
        self.maxAge = maxAge
        self.warn = warn
    }

    /// The defaults of Docs/configuration.md: rotate every 90 days, warn 14 days ahead.
    public static let standard = RotationPolicy(maxAge: .days(90), warn: .days(14))
}
