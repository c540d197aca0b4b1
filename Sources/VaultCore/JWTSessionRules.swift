/// The timing rules of partner JWT sessions (Docs/api.md `POST /v1/jwt`).
public struct JWTSessionRules: Hashable, Sendable {
    /// `[jwt] refresh_margin`.
    public var refreshMargin: Int64
    /// `[jwt] refresh_floor`: no login follows the last one sooner than this, whatever lifetime
    /// Vobiz gave; a token that lives only seconds would otherwise send the vault back to log in
    /// every second.
    public var refreshFloor: Int64
    public static let defaultRefreshFloor: Int64 = 30
    /// A token is never handed out with less than this left: the clocks of the vault, Vobiz and
    /// the caller may disagree by a few seconds.
    public static let skew: Int64 = 5

    public init(refreshMargin: Int64, refreshFloor: Int64 = JWTSessionRules.defaultRefreshFloor) {
        self.refreshMargin = refreshMargin
        self.refreshFloor = refreshFloor
    }

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

    /// When the session should be logged in again: the refresh margin (or 10 %) before expiry,
    /// never with less than `skew` left, and never sooner than `refreshFloor` after this login.
    public func nextLogin(issuedAt: Int64, expiresAt: Int64) -> Int64 {
        let ahead = min(refreshAfter(issuedAt: issuedAt, expiresAt: expiresAt), expiresAt - Self.skew)
        return max(ahead, issuedAt + refreshFloor)
    }

    /// A lifetime too short to serve: the token is unusable before the next login may start,
    /// so callers are refused for part of every `refreshFloor`. `jwt status` and `remind` say so.
    public func tooShort(lifetime: Int64) -> Bool { lifetime < refreshFloor + Self.skew }

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
