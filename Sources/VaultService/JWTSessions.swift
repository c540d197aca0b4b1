import VaultCore

/// The partner JWT sessions in memory: each credential's token and timing, the one login in
/// flight per credential, and the count of logins by outcome. It decides what a request gets
/// from memory (a token with time left, a refusal while a login is failing or backing off, or
/// a login) and which sessions in use are due to be refreshed ahead of their expiry; the
/// logins themselves, and what is stored, are the vault's.
struct JWTSessions {
    private var live: [String: JWTLive] = [:]
    private var logins: [String: Task<JWTLoginOutcome, Never>] = [:]
    /// Logins by outcome since start (`ok`, `invalid_credentials`, `rejected`, `error`), for /metrics.
    private(set) var loginCounts: [String: Int] = [:]

    subscript(id: AuthID) -> JWTLive? {
        get { live[id.rawValue] }
        set { live[id.rawValue] = newValue }
    }

    subscript(id: AuthID, default fresh: @autoclosure () -> JWTLive) -> JWTLive {
        get { live[id.rawValue] ?? fresh() }
        set { live[id.rawValue] = newValue }
    }

    /// Forgets what is held of the session of `authID` (another host changed it, or its login
    /// credentials): read again from the store on its next use. Kept while a login is in flight.
    mutating func forget(_ authID: String) {
        guard logins[authID] == nil else { return }
        live[authID] = nil
    }

    /// Whether the session of `id` was read from the store since start (or made since).
    func isLoaded(_ id: AuthID) -> Bool { live[id.rawValue] != nil }

    /// What a request for the token of `id` gets without a login, marking the session in use.
    enum Cached {
        case token(IssuedJWT)
        case refuse(Refusal)
        case login
    }

    mutating func request(_ id: AuthID, now: Int64) -> Cached {
        live[id.rawValue, default: JWTLive()].lastUsed = now
        guard let s = live[id.rawValue] else { return .login }
        if let token = s.token, now < s.refreshAfter, JWTSessionRules.usable(expiresAt: s.expiresAt, now: now) {
            return .token(IssuedJWT(accessToken: token, expiresAt: s.expiresAt, authID: id))
        }
        if let failed = s.failed {
            return .refuse(Refusal(.upstreamUnavailable,
                                   "the JWT login for \(id) is failing (\(failed)); fix it with `vobiz-vault login-credentials set` or retry with `vobiz-vault jwt login`"))
        }
        // The token ran out before the next login may start (a lifetime under `[jwt]
        // refresh_floor` plus the skew): refused until then, not logged in again at every request.
        if s.issuedAt > 0, now < s.refreshAfter {
            return .refuse(Refusal(.upstreamUnavailable, """
                the JWT Vobiz gave \(id) lives \(s.expiresAt - s.issuedAt) s, too short to serve until the next login, in \(s.refreshAfter - now) s \
                (logins are [jwt] refresh_floor apart)
                """))
        }
        guard s.retryAt > now else { return .login }
        // Backing off after a network failure: a token with time left still serves.
        if let token = s.token, JWTSessionRules.usable(expiresAt: s.expiresAt, now: now) {
            return .token(IssuedJWT(accessToken: token, expiresAt: s.expiresAt, authID: id))
        }
        return .refuse(Refusal(.upstreamUnavailable, "the JWT login for \(id) failed; the next attempt is in \(s.retryAt - now) s"))
    }

    /// The token a login left, if it is still usable.
    func usable(_ id: AuthID, now: Int64) -> IssuedJWT? {
        guard let s = live[id.rawValue], let token = s.token, JWTSessionRules.usable(expiresAt: s.expiresAt, now: now) else { return nil }
        return IssuedJWT(accessToken: token, expiresAt: s.expiresAt, authID: id)
    }

    /// Refresh-ahead: sessions used within the last hour whose refresh time has come, unless
    /// they failed or wait out a backoff. A session in use is kept logged in even when its
    /// token has already run out (a login failed meanwhile), so the next caller need not wait.
    func due(now: Int64) -> [AuthID] {
        live.filter { _, s in s.failed == nil && s.lastUsed > 0 && now - s.lastUsed < 3600 && now >= s.refreshAfter && now >= s.retryAt }
            .keys.sorted().compactMap { try? AuthID($0) }
    }

    /// Releases (and so zeroes) tokens past their expiry.
    mutating func releaseExpired(now: Int64) {
        for (key, s) in live where s.token != nil && !JWTSessionRules.usable(expiresAt: s.expiresAt, now: now) {
            live[key]?.token = nil
        }
    }

    mutating func count(_ outcome: String) { loginCounts[outcome, default: 0] += 1 }

    func loginInFlight(_ id: AuthID) -> Task<JWTLoginOutcome, Never>? { logins[id.rawValue] }

    mutating func setLogin(_ id: AuthID, _ task: Task<JWTLoginOutcome, Never>?) { logins[id.rawValue] = task }
}
