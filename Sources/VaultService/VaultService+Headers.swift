import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Replaces the policy in force (SIGHUP). The caller has already parsed the new file.
    public func reload(policy: Policy) { authorizer.reload(policy) }

    public var currentPolicy: Policy { authorizer.policy }

    public func noteReload(error: String?) { authorizer.noteReload(error: error) }

    /// Why the last SIGHUP reload failed (nil when the file on disk is the policy in force).
    public var reloadError: String? { authorizer.reloadError }

    /// `POST /v1/headers`: checks scope, state, policy and rate, then answers with sealed or
    /// revealed headers bound to this one request. Every answer and every refusal is audited.
    public func issueHeaders(caller: Caller, request: HeadersRequest) throws(Refusal) -> IssuedHeaders {
        let requestID = RequestID.currentOrNew
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
        let sealed = try signatures.sign(method: request.method, url: url, bodySHA256: request.bodySHA256, authID: id, now: now,
                                         lifetime: config.sealed.lifetime.seconds)
        headers.append((SealedSignature.headerName, sealed.header))
        return IssuedHeaders(headers: headers, token: nil, authID: id, version: version.version, fingerprint: version.fingerprint,
                             mode: .sealed, expiresAt: sealed.expiresAt, requestID: audit.requestID, grant: grant.name)
    }

    /// Audits a refusal decided before the vault saw the request (unreadable body, a caller that
    /// changed, the admin socket's door), so every refusal is in the log.
    public func auditRefusal(caller: Caller, operation: AuditOperation, method: String, path: String?, _ refusal: Refusal) {
        var audit = RequestAudit(caller: caller, operation: operation, method: method, requestID: RequestID.currentOrNew)
        audit.path = path
        try? record(audit.refused(refusal))
    }

    /// The credential a request uses: the one its path implies, or the one it names when the
    /// path implies none. Naming a different one than the path implies is a scope mismatch.
    func credential(named: String?, for url: ScopedURL) throws(Refusal) -> (AccountRecord, TokenVersionRecord) {
        let partner = try cachedPartner()
        var namedID: AuthID?
        if let named { namedID = try namedCredential(named, partner: partner) }
        let chosen: String
        switch url.implied {
        case .partner:
            if let n = namedID, n.kind != .partner || n.rawValue != partner {
                throw Refusal(.scopeMismatch, ScopeError.mismatch(path: url.path, named: n.rawValue).description)
            }
            guard let p = partner else { throw Refusal(.unknownCredential, "this vault holds no partner credential") }
            chosen = p
        case .customer(let id):
            if let n = namedID, n != id { throw Refusal(.scopeMismatch, ScopeError.mismatch(path: url.path, named: n.rawValue).description) }
            chosen = id.rawValue
        case .none:
            guard let n = namedID else { throw Refusal(.badRequest, ScopeError.credentialRequired.description) }
            chosen = n.rawValue
        }
        let entry = try activeCredential(chosen)
        guard let v = entry.active, v.ciphertext != nil else { throw Refusal(.internal, "\(entry.account.authID) has no active token version") }
        return (entry.account, v)
    }

    /// The auth id a request names: `partner` (the vault's partner, `partner` its auth id) or an auth id.
    func namedCredential(_ named: String, partner: String?) throws(Refusal) -> AuthID {
        guard named == "partner" else {
            guard let id = try? AuthID(named) else { throw Refusal(.badRequest, "credential must be \"partner\" or an auth id") }
            return id
        }
        guard let partner else { throw Refusal(.unknownCredential, "this vault holds no partner credential") }
        guard let id = try? AuthID(partner) else { throw Refusal(.internal, "the stored partner auth id is not an auth id") }
        return id
    }

    /// The cached credential `authID`, refused unless the vault holds it and it is active.
    func activeCredential(_ authID: String) throws(Refusal) -> CredentialCache.Entry {
        guard let entry = try cachedCredential(authID) else { throw Refusal(.unknownCredential, "no credential \(authID) in this vault") }
        let a = entry.account
        guard a.state == .active else { throw Refusal(.credentialRevoked, "\(a.authID) is \(a.state.rawValue); it must be rotated before use") }
        return entry
    }

    /// The credential `authID` as the request path knows it (nil: the vault does not hold it),
    /// read from the store on its first use after a write.
    func cachedCredential(_ authID: String) throws(Refusal) -> CredentialCache.Entry? {
        if !credentialCache.holds(authID) { try refuseWhileStoreStalls() }
        do { return try credentialCache.entry(authID, store: store) } catch { throw Self.readRefusal(error) }
    }

    /// The partner's auth id (nil: the vault holds no partner).
    func cachedPartner() throws(Refusal) -> String? {
        if !credentialCache.holds(nil) { try refuseWhileStoreStalls() }
        do { return try credentialCache.partner(store: store) } catch { throw Self.readRefusal(error) }
    }

    /// A request that would wait on a shared store whose audit commit has stalled is refused at
    /// once: it would hold the actor, and every request behind it, for as long as the store is silent.
    func refuseWhileStoreStalls() throws(Refusal) {
        if auditLog.stalled(nowMillis: clock.millis) { throw AuditLog.unavailable }
    }

    /// A read the request needed failed: a shared store out of reach is said so (503, retry).
    static func readRefusal(_ error: any Error) -> Refusal {
        if (error as? StoreError)?.isUnreachable == true { return AuditLog.unavailable }
        return Refusal(.internal, "storage error")
    }

    /// The token of version `v`, opened once and kept briefly (`TokenCache`).
    func open(_ v: TokenVersionRecord, _ id: AuthID, _ keys: VaultKeys) throws(Refusal) -> SecureBytes {
        try tokenCache.token(id, version: v.version, now: now) { () throws(Refusal) in
            guard let sealed = v.ciphertext else { throw Refusal(.internal, "\(id) version \(v.version) is destroyed") }
            do {
                return try keys.open(sealed, .token(id, version: v.version), what: "token_versions row \(id) version \(v.version)")
            } catch {
                throw Refusal(.internal, "\(error)")
            }
        }
    }

    /// How long an opened token stays in memory after its last use.
    public static let tokenCacheSeconds = TokenCache.seconds

    /// Releases (and so zeroes) opened tokens unused for `tokenCacheSeconds`.
    public func evictTokens() {
        tokenCache.evict(now: now)
    }

    /// POST, PUT and PATCH carry a JSON body unless the caller says it is empty.
    static func hasBody(_ r: HeadersRequest) -> Bool {
        guard ["POST", "PUT", "PATCH"].contains(r.method) else { return false }
        return r.bodySHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }
}
