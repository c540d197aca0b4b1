import Foundation
import VaultCore
import VaultStore

/// One JWT login per credential for a whole fleet: the host that takes the login lease logs
/// in; the others wait for the session it stores and use that, rather than log in themselves.
extension VaultService {
    /// How long a lease holds a login for the fleet: longer than a login may take.
    static var loginLeaseSeconds: Int64 { 35 }

    /// nil when this host is to log in now (it holds the lease, or the store is its own); an
    /// outcome when another host's login gave a session (or never finished).
    func fleetLoginTurn(_ id: AuthID, actor: ActorIdentity) async -> JWTLoginOutcome? {
        guard let shared = sharedStore else { return nil }
        let had = jwtSessions[id]?.issuedAt ?? 0
        let deadline = now + Self.loginLeaseSeconds
        while true {
            if adoptStoredSession(id, newerThan: had) { return .ok }
            do {
                if try shared.takeLoginLease(id.rawValue, seconds: Self.loginLeaseSeconds) {
                    // Another host may have stored a session between the look and the lease.
                    if adoptStoredSession(id, newerThan: had) {
                        try? shared.releaseLoginLease(id.rawValue)
                        return .ok
                    }
                    return nil
                }
            } catch {
                return .retryLater("the fleet's store cannot be reached to coordinate the login: \(error.description)")
            }
            guard now < deadline else { return .retryLater("another host's login for \(id) did not finish") }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// What a fleet host's daemon does off the actor at each look of its change follower
    /// (`FleetUpkeep.run`): check the store against what this host saw, and once a minute say it
    /// is alive and forget expired nonces. nil when the store is its own.
    public func fleetUpkeep() -> FleetUpkeep? {
        let now = self.now
        guard let shared = sharedStore else { return nil }
        let minute = now - fleetSeenAt >= 60 || now < fleetSeenAt
        if minute { fleetSeenAt = now }
        // Without keys (sealed, or the store already refused) there is nothing to guard, and a
        // refusal once said is not said again every look.
        return FleetUpkeep(store: shared, watermark: keys == nil ? nil : FleetWatermarkFile(directory: directory), minute: minute, now: now)
    }

    /// An upkeep could not run (its thread was busy): if it was the minute's, that is due again at once.
    public func fleetUpkeepSkipped(_ upkeep: FleetUpkeep) { if upkeep.minute { fleetSeenAt = 0 } }

    /// The fleet's database shows less than this host saw (`FleetWatermark`): nothing more is
    /// opened or written with the keys, until an operator looks and starts the daemon again.
    public func refuseRolledBackStore() {
        keyring.drop()
        sharedStore?.holdDataKey(nil)
        credentialCache.removeAll()
        tokenCache.removeAll()
    }

    /// Ends this host's lease once its login has stored its outcome.
    func endFleetLogin(_ id: AuthID) {
        try? sharedStore?.releaseLoginLease(id.rawValue)
    }

    /// Takes the stored session of `id` when another host stored one newer than `had` that is
    /// still usable and not yet due for refresh: true when this host now uses it.
    func adoptStoredSession(_ id: AuthID, newerThan had: Int64) -> Bool {
        guard let keys else { return false }
        let now = self.now
        guard let row = try? store.read({ tx -> JWTSessionRecord? in
            guard let a = try tx.account(id) else { return nil }
            return try tx.session(of: try a.storedID)
        }), row.state == .valid, let sealed = row.ciphertext, let issued = row.issuedAt, issued > had,
            let expires = row.expiresAt, JWTSessionRules.usable(expiresAt: expires, now: now), now < (row.refreshAfter ?? 0),
            let token = try? keys.open(sealed, .jwtSession(id), what: "jwt_sessions row \(id)") else { return false }
        var live = jwtSessions[id] ?? JWTLive()
        live.token = token
        live.issuedAt = issued
        live.expiresAt = expires
        live.refreshAfter = row.refreshAfter ?? 0
        live.failed = nil
        live.retryAt = 0
        jwtSessions[id] = live
        return true
    }
}
