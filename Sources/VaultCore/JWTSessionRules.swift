/// The timing rules of partner JWT sessions (Docs/api.md `POST /v1/jwt`).
public struct JWTSessionRules: Hashable, Sendable {
    /// `[jwt] refresh_margin`.
    public var refreshMargin: Int64
    /// A token is never handed out with less than this left: the clocks of the vault, Vobiz and
    /// the caller may disagree by a few seconds.
    public static let skew: Int64 = 5

    public init(refreshMargin: Int64) { self.refreshMargin = refreshMargin }

    /// When a token issued at `issuedAt` with `expiresIn` expires: that, or the JWT's own `exp`
    /// claim when it is earlier.
    public static func expiry(issuedAt: Int64, expiresIn: Int64, expClaim: Int64?) -> Int64 {
        let byLifetime = issuedAt + max(0, expiresIn)
        guard let exp = expClaim else { return byLifetime }
        return min(byLifetime, exp)
    }

    /// From when a login should replace the token: the refresh margin before expiry, or 10 %
    /// of the lifetime when that is shorter.
    public func refreshAfter(issuedAt: Int64, expiresAt: Int64) -> Int64 {
        let lifetime = max(0, expiresAt - issuedAt)
        return expiresAt - min(refreshMargin, lifetime / 10)
    }

    /// Whether a token that expires at `expiresAt` may still be handed out at `now`.
    public static func usable(expiresAt: Int64, now: Int64) -> Bool { now < expiresAt - skew }
}

/// Exponential backoff with full jitter for logins that failed for a network reason.
public enum LoginBackoff {
    public static let base: Int64 = 1
    public static let cap: Int64 = 300

    /// Seconds to wait after `failures` consecutive failures (1, 2, …), given a uniform random
    /// `jitter` in [0, 1): somewhere in [ceiling / 2, ceiling].
    public static func delay(failures: Int, jitter: Double) -> Int64 {
        let exponent = min(max(failures - 1, 0), 20)
        let ceiling = min(cap, base << Int64(exponent))
        let half = Double(ceiling) / 2
        return max(1, Int64((half + half * min(max(jitter, 0), 0.999_999)).rounded(.up)))
    }
}
