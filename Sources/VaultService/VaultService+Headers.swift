import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Replaces the policy in force (SIGHUP). The caller has already parsed the new file.
    public func reload(policy: Policy) {
        self.policy = policy
        buckets.removeAll()
    }

    public var currentPolicy: Policy { policy }

    public func noteReload(error: String?) { reloadError = error }

    /// `POST /v1/headers`: checks scope, state, policy and rate, then answers with sealed or
    /// revealed headers bound to this one request. Every answer and every refusal is audited.
    public func issueHeaders(caller: Caller, request: HeadersRequest) throws(Refusal) -> IssuedHeaders {
        let requestID = Hex.encode(Random.data(count: 8))
        var audit = RequestAudit(caller: caller, operation: .headers, method: request.method, requestID: requestID)
        return try audited(&audit, mode: { $0.mode.rawValue }) { (audit) throws(Refusal) in
            try headers(caller: caller, request: request, audit: &audit)
        }
    }

    private func headers(caller: Caller, request: HeadersRequest, audit: inout RequestAudit) throws(Refusal) -> IssuedHeaders {
        let t = try scopedTarget(request.url, naming: request.credential, audit: &audit)
        let (keys, url, id, version) = (t.keys, t.url, t.id, t.version)
        let grant = try grant(.headers, caller: caller, method: request.method, target: t,
                              denial: "no grant allows this caller \(request.method) on \(url.path) with \(id)", audit: &audit)
        try requireAuditWritable()

        var headers: [(String, String)] = [("X-Auth-ID", id.rawValue), ("Accept", "application/json")]
        if Self.hasBody(request) { headers.append(("Content-Type", "application/json")) }
        if grant.reveal {
            let token = try open(version, id, keys)
            return IssuedHeaders(headers: headers, token: token, authID: id, version: version.version, fingerprint: version.fingerprint,
                                 mode: .revealed, expiresAt: nil, requestID: audit.requestID, grant: grant.name)
        }
        guard let signer else { throw Refusal(.internal, "no signing key loaded") }
        let ts = now, exp = now + config.sealed.lifetime.seconds
        let nonce = Array(Random.data(count: 16))
        let text = SealedSignature.canonicalString(method: request.method, canonicalURL: url.canonical, bodySHA256: request.bodySHA256,
                                                   authID: id, ts: ts, exp: exp, nonce: nonce)
        let sig = signer.signer.sign(Array(text.utf8))
        headers.append((SealedSignature.headerName,
                        SealedSignature(kid: signer.kid, ts: ts, exp: exp, nonce: nonce, sig: Array(sig)).headerValue))
        return IssuedHeaders(headers: headers, token: nil, authID: id, version: version.version, fingerprint: version.fingerprint,
                             mode: .sealed, expiresAt: exp, requestID: audit.requestID, grant: grant.name)
    }

    /// Audits a refusal decided before the vault saw the request (unreadable body, a caller that
    /// changed, the admin socket's door), so every refusal is in the log.
    public func auditRefusal(caller: Caller, operation: AuditOperation, method: String, path: String?, _ refusal: Refusal) {
        var audit = RequestAudit(caller: caller, operation: operation, method: method, requestID: Hex.encode(Random.data(count: 8)))
        audit.path = path
        try? record(audit.refused(refusal))
    }

    /// The credential a request uses: the one its path implies, or the one it names when the
    /// path implies none. Naming a different one than the path implies is a scope mismatch.
    func credential(named: String?, for url: ScopedURL) throws(Refusal) -> (AccountRecord, TokenVersionRecord) {
        let cache = try credentials()
        var namedID: AuthID?
        if let named {
            if named == "partner" {
                guard let p = cache.partner else { throw Refusal(.unknownCredential, "this vault holds no partner credential") }
                namedID = try? AuthID(p)
            } else {
                guard let id = try? AuthID(named) else { throw Refusal(.badRequest, "credential must be \"partner\" or an auth id") }
                namedID = id
            }
        }
        let chosen: String
        switch url.implied {
        case .partner:
            if let n = namedID, n.kind != .partner || n.rawValue != cache.partner {
                throw Refusal(.scopeMismatch, ScopeError.mismatch(path: url.path, named: n.rawValue).description)
            }
            guard let p = cache.partner else { throw Refusal(.unknownCredential, "this vault holds no partner credential") }
            chosen = p
        case .customer(let id):
            if let n = namedID, n != id { throw Refusal(.scopeMismatch, ScopeError.mismatch(path: url.path, named: n.rawValue).description) }
            chosen = id.rawValue
        case .none:
            guard let n = namedID else { throw Refusal(.badRequest, ScopeError.credentialRequired.description) }
            chosen = n.rawValue
        }
        guard let (a, version) = cache.byID[chosen] else { throw Refusal(.unknownCredential, "no credential \(chosen) in this vault") }
        guard a.state == .active else { throw Refusal(.credentialRevoked, "\(a.authID) is \(a.state.rawValue); it must be rotated before use") }
        guard let v = version, v.ciphertext != nil else { throw Refusal(.internal, "\(a.authID) has no active token version") }
        return (a, v)
    }

    /// The credential cache, loaded on first use after a write.
    func credentials() throws(Refusal) -> CredentialCache {
        if let c = credentialCache { return c }
        do {
            let c = try store.read { try CredentialCache.load($0) }
            credentialCache = c
            return c
        } catch {
            throw Refusal(.internal, "storage error")
        }
    }

    func open(_ v: TokenVersionRecord, _ id: AuthID, _ keys: VaultKeys) throws(Refusal) -> SecureBytes {
        let cacheKey = TokenCacheKey(authID: id.rawValue, version: v.version)
        let t = now
        if let hit = tokenCache[cacheKey] {
            tokenCache[cacheKey] = (hit.token, t)
            return hit.token
        }
        guard let sealed = v.ciphertext else { throw Refusal(.internal, "\(id) version \(v.version) is destroyed") }
        do {
            let token = try keys.open(sealed, .token(id, version: v.version), what: "token_versions row \(id) version \(v.version)")
            tokenCache[cacheKey] = (token, t)
            return token
        } catch {
            throw Refusal(.internal, error.description)
        }
    }

    /// An opened token's place in the cache: its credential and version.
    struct TokenCacheKey: Hashable {
        let authID: String
        let version: Int64
    }

    /// How long an opened token stays in memory after its last use.
    public static let tokenCacheSeconds: Int64 = 30

    /// Releases (and so zeroes) opened tokens unused for `tokenCacheSeconds`.
    public func evictTokens() {
        let cutoff = now - Self.tokenCacheSeconds
        tokenCache = tokenCache.filter { $0.value.lastUse > cutoff }
    }

    /// One token from the grant's bucket for this caller uid.
    func takeToken(_ grant: Grant, _ caller: Caller) throws(Refusal) {
        guard let rate = grant.rate else { return }
        let key = "\(grant.name)|\(caller.uid)"
        let t = clock.fractionalSeconds
        var bucket = buckets[key] ?? TokenBucket(rate: rate, now: t)
        let ok = bucket.take(now: t)
        buckets[key] = bucket
        guard ok else { throw Refusal(.rateLimited, "grant \(grant.name) allows \(rate) requests per second") }
    }

    /// POST, PUT and PATCH carry a JSON body unless the caller says it is empty.
    static func hasBody(_ r: HeadersRequest) -> Bool {
        guard ["POST", "PUT", "PATCH"].contains(r.method) else { return false }
        return r.bodySHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }

    static func denial(_ d: Policy.Decision, implied: ScopedURL.ImpliedCredential) -> String {
        if case .allowed(let g) = d {
            return "grant \(g.name) allows this only with an explicit path pattern (the path is outside the partner and customer trees)"
        }
        guard case .denied(let reasons) = d, !reasons.isEmpty else { return "no grant allows this (the policy has no grants)" }
        return "no grant allows this: " + reasons.map { "\($0.grant): \($0.reasons.joined(separator: "; "))" }.joined(separator: " | ")
    }
}
