import Foundation
import NIOCore
import VaultCore
import VaultCrypto
import VaultStore

/// Partner JWT sessions (Docs/api.md `POST /v1/jwt`, Docs/cli.md `jwt`, `login-credentials set`).
extension VaultService {
    static let loginTarget = "/api/v1/partner/login"

    var jwtRules: JWTSessionRules { config.jwt.rules }

    // MARK: login credentials

    /// Seals the email and password (`email\npassword`) of the partner's JWT login. A session
    /// that failed on the old credentials may log in again.
    public func setLoginCredentials(_ name: String, secret: SecureBytes, actor: ActorIdentity) throws(ServiceError) {
        let keys = try requireKeys()
        let normalized = try Self.loginSecret(secret)
        let now = self.now
        let id: AuthID = try write { tx in
            let account = try partnerAccount(name, tx)
            let id = try AuthID(account.authID)
            var record = try tx.loginCredentials(of: try account.storedID)
                ?? LoginCredentialRecord(accountID: try account.storedID, ciphertext: Data(), at: now, actor: nil)
            record.ciphertext = try keys.seal(normalized, .loginCredentials(id))
            record.updatedAt = now
            record.actor = actor.display
            try tx.save(&record)
            if var session = try tx.session(of: try account.storedID), session.state == .failed {
                session.state = .empty
                session.ciphertext = nil
                session.lastError = nil
                try tx.save(&session)
            }
            try audit(tx, op: "login-credentials-set", actor: actor, authID: id)
            return id
        }
        jwtSessions[id]?.failed = nil
        jwtSessions[id]?.networkFailures = 0
        jwtSessions[id]?.retryAt = 0
    }

    /// Removes the login credentials and the session.
    public func forgetLoginCredentials(_ name: String, actor: ActorIdentity) throws(ServiceError) {
        let id: AuthID = try write { tx in
            let account = try partnerAccount(name, tx)
            let id = try AuthID(account.authID)
            guard try tx.deleteLoginCredentials(of: try account.storedID) else {
                throw ServiceError.invalidInput("\(id) has no login credentials")
            }
            try tx.deleteSession(of: try account.storedID)
            try audit(tx, op: "login-credentials-forget", actor: actor, authID: id)
            return id
        }
        jwtSessions[id] = nil
    }

    /// Drops the session (the login credentials stay): the next request logs in.
    public func forgetSession(_ name: String, actor: ActorIdentity) throws(ServiceError) {
        let id: AuthID = try write { tx in
            let account = try partnerAccount(name, tx)
            let id = try AuthID(account.authID)
            guard try tx.deleteSession(of: try account.storedID) else { throw ServiceError.invalidInput("\(id) has no JWT session") }
            try audit(tx, op: "jwt-forget", actor: actor, authID: id)
            return id
        }
        jwtSessions[id] = nil
    }

    /// `email\npassword`, both non-empty, a trailing newline dropped.
    static func loginSecret(_ s: SecureBytes) throws(ServiceError) -> SecureBytes {
        let parts: (Int, Int)? = s.withUnsafeBytes { b in
            var end = b.count
            while end > 0, b[end - 1] == 0x0A || b[end - 1] == 0x0D { end -= 1 }
            guard let nl = b[..<end].firstIndex(of: 0x0A) else { return nil }
            let emailEnd = nl > 0 && b[nl - 1] == 0x0D ? nl - 1 : nl
            guard emailEnd > 0, end > nl + 1, !b[(nl + 1)..<end].contains(0x0A) else { return nil }
            return (emailEnd, end)
        }
        guard let (emailEnd, end) = parts else {
            throw .invalidInput("expected the email on the first line and the password on the second")
        }
        do {
            return try s.withUnsafeBytes { b throws(CryptoError) in
                let out = try SecureBytes(count: emailEnd + 1 + (end - (b.firstIndex(of: 0x0A)! + 1)))
                let nl = b.firstIndex(of: 0x0A)!
                out.withUnsafeMutableBytes { o in
                    o.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[..<emailEnd]))
                    o[emailEnd] = 0x0A
                    UnsafeMutableRawBufferPointer(rebasing: o[(emailEnd + 1)...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: b[(nl + 1)..<end]))
                }
                return out
            }
        } catch {
            throw .crypto(error.description)
        }
    }

    func partnerAccount(_ name: String, _ tx: any StoreTransaction) throws -> AccountRecord {
        let account = try resolve(name, in: tx)
        guard account.kind == .partner else {
            throw ServiceError.invalidInput("JWT login is a partner API (POST \(Self.loginTarget)); \(account.authID) is a customer")
        }
        return account
    }

    // MARK: status

    public func jwtStatus() throws(ServiceError) -> [JWTSessionStatus] {
        let rows = try read { tx in
            try [tx.partner()].compactMap { $0 }.map { a in (a, try tx.loginCredentials(of: try a.storedID), try tx.session(of: try a.storedID)) }
        }
        return rows.compactMap { a, login, session in
            guard login != nil || session != nil, let id = try? AuthID(a.authID) else { return nil }
            let live = (try? AuthID(a.authID)).flatMap { jwtSessions[$0] }
            return JWTSessionStatus(authID: id, hasLoginCredentials: login != nil, state: session?.state.rawValue ?? "empty",
                                    issuedAt: session?.issuedAt, expiresAt: session?.expiresAt, lastRefreshAt: session?.lastRefreshAt,
                                    lastError: session?.lastError, retryAt: (live?.retryAt ?? 0) > now ? live?.retryAt : nil,
                                    lifetimeTooShort: session.flatMap { s in s.issuedAt.flatMap { i in s.expiresAt.map { $0 - i } } }
                                        .map(jwtRules.tooShort(lifetime:)) ?? false)
        }
    }

    // MARK: POST /v1/jwt

    /// The partner's access token for a granted caller: the cached one while more than the
    /// refresh margin is left, else a fresh login (one in flight per credential). An expired
    /// token is never handed out.
    public func jwt(caller: Caller, credential: String?) async throws(Refusal) -> IssuedJWT {
        var audit = RequestAudit(caller: caller, operation: .jwt, method: "POST", requestID: RequestID.currentOrNew)
        audit.path = Self.loginTarget
        do {
            let id = try jwtAuthorize(caller: caller, credential: credential, audit: &audit)
            let issued = try await session(for: id)
            try record(audit.allowed(mode: "jwt"))
            return issued
        } catch {
            try? record(audit.refused(error))
            throw error
        }
    }

    private func jwtAuthorize(caller: Caller, credential: String?, audit: inout RequestAudit) throws(Refusal) -> AuthID {
        guard keys != nil else { throw Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`") }
        guard let partner = try cachedPartner(), let id = try? AuthID(partner) else {
            throw Refusal(.unknownCredential, "this vault holds no partner credential")
        }
        if let credential, credential != "partner", credential != partner {
            throw Refusal(credential.hasPrefix("MA_") ? .scopeMismatch : .unknownCredential,
                          "JWT sessions are the partner's (\(partner)); \(Echo.short(credential)) has none")
        }
        audit.authID = id
        guard let entry = try cachedCredential(partner) else { throw Refusal(.unknownCredential, "no credential \(partner)") }
        guard entry.account.state == .active else {
            throw Refusal(.credentialRevoked, "\(partner) is \(entry.account.state.rawValue); it must be rotated before use")
        }
        audit.version = entry.active?.version
        _ = try grant(.jwt, caller: caller, credential: id, method: "POST", path: Self.loginTarget,
                      explicitPathsOnly: false, denial: "no grant allows this caller a JWT for \(id)", audit: &audit)
        try requireAuditWritable()
        return id
    }

    func session(for id: AuthID) async throws(Refusal) -> IssuedJWT {
        try loadSession(id)
        switch jwtSessions.request(id, now: now) {
        case .token(let issued): return issued
        case .refuse(let refusal): throw refusal
        case .login: break
        }
        let outcome = await login(id)
        if let issued = jwtSessions.usable(id, now: now) { return issued }
        switch outcome {
        case .ok:
            // The refusal of `request` says why (a lifetime too short to serve) and until when.
            if case .refuse(let why) = jwtSessions.request(id, now: now) { throw why }
            throw Refusal(.upstreamUnavailable, "the login for \(id) gave a token that is already expired")
        case .failed(let why), .retryLater(let why): throw Refusal(.upstreamUnavailable, "the JWT login for \(id) failed: \(why)")
        }
    }

    /// Reads a stored session into memory the first time it is needed (after a restart).
    func loadSession(_ id: AuthID) throws(Refusal) {
        guard !jwtSessions.isLoaded(id), let keys else { return }
        var live = JWTLive()
        do {
            let row = try store.read { tx -> JWTSessionRecord? in
                guard let a = try tx.account(id) else { return nil }
                return try tx.session(of: try a.storedID)
            }
            if let row {
                switch row.state {
                case .valid:
                    if let sealed = row.ciphertext {
                        live.token = try keys.open(sealed, .jwtSession(id), what: "jwt_sessions row \(id)")
                        live.issuedAt = row.issuedAt ?? 0
                        live.expiresAt = row.expiresAt ?? 0
                        live.refreshAfter = row.refreshAfter ?? 0
                    }
                case .failed: live.failed = row.lastError ?? "failed"
                case .empty: break
                }
            }
        } catch {
            throw Refusal(.internal, "cannot read the JWT session of \(id)")
        }
        jwtSessions[id] = live
    }

    // MARK: operator and background

    /// `jwt login`: logs in now, whatever the state.
    public func forceLogin(_ name: String) async throws(ServiceError) -> JWTSessionStatus? {
        let id: AuthID = try read { tx in try AuthID(try partnerAccount(name, tx).authID) }
        _ = try? loadSession(id)
        jwtSessions[id, default: JWTLive()].failed = nil
        jwtSessions[id]?.retryAt = 0
        let outcome = await login(id)
        if case .failed(let why) = outcome { throw .loginFailed("the login for \(id) failed: \(why)") }
        if case .retryLater(let why) = outcome { throw .loginFailed("the login for \(id) failed: \(why)") }
        return try jwtStatus().first { $0.authID == id }
    }

    /// Refresh-ahead: logs in again for the sessions in use that are due (`JWTSessions.due`),
    /// then releases tokens past their expiry.
    public func refreshJWTSessions() async {
        for id in jwtSessions.due(now: now) { _ = await login(id) }
        jwtSessions.releaseExpired(now: now)
    }

    /// Logins by outcome since start, for /metrics.
    public var jwtLoginCounts: [String: Int] { jwtSessions.loginCounts }
}
