import Foundation
import NIOCore
import VaultCore
import VaultCrypto
import VaultStore

/// The partner login itself: one in flight per credential, its outcome stored and audited.
extension VaultService {
    /// Logs in, or joins the login already in flight for this credential (an operator's
    /// `jwt login` clears a failed state and the backoff first: `forceLogin`).
    func login(_ id: AuthID) async -> JWTLoginOutcome {
        if let running = jwtSessions.loginInFlight(id) { return await running.value }
        let task = Task { await self.performLogin(id) }
        jwtSessions.setLogin(id, task)
        let outcome = await task.value
        jwtSessions.setLogin(id, nil)
        return outcome
    }

    private func performLogin(_ id: AuthID) async -> JWTLoginOutcome {
        let actor = ActorIdentity.current()
        if let settled = await fleetLoginTurn(id, actor: actor) { return settled }
        defer { endFleetLogin(id) }
        return await loginNow(id, actor: actor)
    }

    private func loginNow(_ id: AuthID, actor: ActorIdentity) async -> JWTLoginOutcome {
        let key = id.rawValue
        let started = now
        let body: [UInt8], token: SecureTokenText
        do {
            (body, token) = try loginRequest(id)
        } catch {
            return markFailed(id, why: error.description, count: "error", actor: actor)
        }
        let answer: JWTLogin.Answer
        do {
            let r = try await withUpstreamClient { client in
                try await client.call(method: "POST", target: Self.loginTarget,
                                      headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                      body: ByteBuffer(bytes: body), authID: id, token: token)
            }
            answer = r.body.withUnsafeReadableBytes { JWTLogin.parse(status: r.status, body: $0) }
        } catch {
            return markRetry(id, why: UpstreamError.classify(error).description, actor: actor)
        }
        switch answer {
        case .token(let scratch, let expiresIn, let expClaim):
            defer { scratch.wipe() }
            let expiresAt = JWTSessionRules.expiry(issuedAt: started, expiresIn: expiresIn, expClaim: expClaim)
            let refreshAfter = jwtRules.nextLogin(issuedAt: started, expiresAt: expiresAt)
            do {
                let secure = try Self.secure(scratch)
                try storeSession(id, token: secure, issuedAt: started, expiresAt: expiresAt, refreshAfter: refreshAfter, actor: actor)
                var live = jwtSessions[id] ?? JWTLive()
                live.token = secure
                live.issuedAt = started
                live.expiresAt = expiresAt
                live.refreshAfter = refreshAfter
                live.failed = nil
                live.networkFailures = 0
                live.retryAt = 0
                jwtSessions[id] = live
                jwtSessions.count("ok")
                if (try? cachedCredential(key))??.account.rejectedAt != nil {
                    noteUpstream(status: 200, authID: id, by: "jwt-login", actor: actor)
                }
                return .ok
            } catch {
                return markRetry(id, why: "cannot store the session: \(error)", actor: actor)
            }
        case .invalidCredentials(let message):
            return markFailed(id, why: "invalid_credentials" + (message.isEmpty ? "" : ": " + message), count: "invalid_credentials", actor: actor)
        case .failed(let status, let error) where status == 401 || status == 403:
            noteUpstream(status: 401, authID: id, by: "jwt-login", actor: actor)
            return markFailed(id, why: "Vobiz refused the partner token (HTTP \(status): \(error))", count: "rejected", actor: actor)
        case .failed(let status, let error):
            return markRetry(id, why: "HTTP \(status): \(error)", actor: actor)
        }
    }

    /// The login body (with the email and password) and the partner token.
    private func loginRequest(_ id: AuthID) throws(ServiceError) -> ([UInt8], SecureTokenText) {
        let keys = try requireKeys()
        let (login, version) = try read { tx -> (LoginCredentialRecord?, TokenVersionRecord?) in
            guard let a = try tx.account(id) else { return (nil, nil) }
            return (try tx.loginCredentials(of: try a.storedID), try tx.activeVersion(of: try a.storedID))
        }
        guard let login else { throw .invalidInput("no login credentials for \(id); run `vobiz-vault login-credentials set partner`") }
        guard let version, let sealed = version.ciphertext else { throw .noActiveVersion(id.rawValue) }
        let secret = try keys.open(login.ciphertext, .loginCredentials(id), what: "login_credentials row \(id)")
        let token = try keys.open(sealed, .token(id, version: version.version), what: "token_versions row \(id) version \(version.version)")
        let body = secret.withUnsafeBytes { b -> [UInt8] in
            let nl = b.firstIndex(of: 0x0A) ?? b.count
            return JWTLogin.body(email: UnsafeRawBufferPointer(rebasing: b[..<nl]),
                                 password: UnsafeRawBufferPointer(rebasing: b[Swift.min(nl + 1, b.count)...]))
        }
        return (body, token.withUnsafeBytes { SecureTokenText(String(decoding: $0, as: UTF8.self)) })
    }

    private func storeSession(_ id: AuthID, token: SecureBytes, issuedAt: Int64, expiresAt: Int64, refreshAfter: Int64,
                              actor: ActorIdentity) throws {
        let keys = try requireKeys()
        try write { tx in
            guard let a = try tx.account(id) else { throw ServiceError.unknownCredential(id.rawValue) }
            var s = try tx.session(of: try a.storedID) ?? JWTSessionRecord(accountID: try a.storedID)
            s.state = .valid
            s.ciphertext = try keys.seal(token, .jwtSession(id))
            s.issuedAt = issuedAt
            s.expiresAt = expiresAt
            s.refreshAfter = refreshAfter
            s.lastRefreshAt = now
            s.lastUsedAt = jwtSessions[id]?.lastUsed
            s.lastError = nil
            try tx.save(&s)
            try audit(tx, op: "jwt-login", actor: actor, authID: id, detail: ["expires_at": Timestamp.iso(expiresAt)])
        }
    }

    /// Invalid credentials or a refused token: no retry until something changes.
    private func markFailed(_ id: AuthID, why: String, count: String, actor: ActorIdentity) -> JWTLoginOutcome {
        jwtSessions.count(count)
        jwtSessions[id, default: JWTLive()].failed = why
        try? write { tx in
            guard let a = try tx.account(id) else { return }
            var s = try tx.session(of: try a.storedID) ?? JWTSessionRecord(accountID: try a.storedID)
            s.state = .failed
            s.ciphertext = nil
            s.lastError = why
            try tx.save(&s)
            try audit(tx, op: "jwt-login", actor: actor, authID: id, outcome: .failed, reason: count, detail: ["error": why])
        }
        return .failed(why)
    }

    /// A network failure: the session keeps its token (while it lasts); the next login waits.
    private func markRetry(_ id: AuthID, why: String, actor: ActorIdentity) -> JWTLoginOutcome {
        jwtSessions.count("error")
        var live = jwtSessions[id] ?? JWTLive()
        live.networkFailures += 1
        live.retryAt = now + LoginBackoff.delay(failures: live.networkFailures, jitter: Double.random(in: 0..<1))
        jwtSessions[id] = live
        try? write { tx in
            guard let a = try tx.account(id) else { return }
            var s = try tx.session(of: try a.storedID) ?? JWTSessionRecord(accountID: try a.storedID)
            s.lastError = why
            try tx.save(&s)
            try audit(tx, op: "jwt-login", actor: actor, authID: id, outcome: .failed, reason: "error", detail: ["error": why])
        }
        return .retryLater(why)
    }
}
