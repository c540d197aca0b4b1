import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// Callback signature verification (Docs/callbacks.md, Docs/api.md `POST /v1/callbacks/verify`):
/// the credential, the grant and the audit row here; the check itself is `CallbackVerifier`'s.
extension VaultService {
    /// How long an accepted callback nonce is refused again.
    public static let callbackNonceSeconds = CallbackVerifier.nonceSeconds

    /// Checks a callback's signature with the credential's active token or, within its grace,
    /// the previous one (and, for the `-MA-` headers, the parent's). V3 decides when its header
    /// is present (it covers the query and the parameters); V2 otherwise. Audited.
    public func verifyCallback(caller: Caller, request: CallbackRequest) throws(Refusal) -> CallbackVerdict {
        var audit = RequestAudit(caller: caller, operation: .verifyCallback, method: request.method, requestID: RequestID.currentOrNew)
        let url = PythonURL(request.url)
        audit.path = url.path
        do {
            let verdict = try callbackVerdict(caller: caller, request: request, url: url, audit: &audit)
            audit.version = verdict.tokenVersion
            if verdict.valid {
                try record(audit.allowed(mode: verdict.scheme!.rawValue + "/" + verdict.signedBy!))
            } else {
                try record(audit.refused(Refusal(.signatureInvalid, verdict.reason ?? "invalid")))
            }
            return verdict
        } catch {
            try? record(audit.refused(error))
            throw error
        }
    }

    /// Spends a nonce for the whole fleet when the store is shared (its own cache has
    /// already admitted it); a store that cannot be reached refuses rather than guesses.
    func spendOnce(_ scope: PostgresStore.NonceScope, nonce: [UInt8], until: Int64) throws(Refusal) -> Bool {
        guard let shared = sharedStore else { return true }
        try refuseWhileStoreStalls()
        do { return try shared.spendOnce(scope, nonce: nonce, until: until) } catch {
            throw Refusal(.storeUnavailable, "the fleet's store cannot be reached to spend this nonce; retry shortly")
        }
    }

    private func callbackVerdict(caller: Caller, request: CallbackRequest, url: PythonURL,
                                 audit: inout RequestAudit) throws(Refusal) -> CallbackVerdict {
        guard let keys else { throw Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`") }
        let name = request.credential == "partner" ? (try cachedPartner() ?? "partner") : request.credential
        guard let id = try? AuthID(name) else { throw Refusal(.badRequest, "credential must be \"partner\" or an auth id") }
        guard let account = try cachedCredential(id.rawValue)?.account else { throw Refusal(.unknownCredential, "no credential \(id) in this vault") }
        audit.authID = id
        guard account.state == .active else { throw Refusal(.credentialRevoked, "\(id) is \(account.state.rawValue)") }
        // The grant's paths are matched against the callback URL's path.
        _ = try grant(.verifyCallback, caller: caller, credential: id, method: request.method, path: url.path,
                      explicitPathsOnly: false, denial: "no grant allows this caller to verify callbacks for \(id)", audit: &audit)
        try requireAuditWritable()

        let now = self.now
        return try callbackVerifier.verdict(request, url: url, account: id, parent: account.parentAuthID, now: now) {
            (owner) throws(Refusal) -> [CallbackVerifier.Candidate] in
            guard let entry = try cachedCredential(owner), let ownerID = try? AuthID(owner) else { return [] }
            let versions = [entry.active].compactMap { $0 } + entry.previous.filter { ($0.destroyAfter ?? 0) > now }
            var out: [CallbackVerifier.Candidate] = []
            for v in versions { out.append((v.version, try open(v, ownerID, keys))) }
            return out
        } spend: { (owner, nonce, until) throws(Refusal) in
            try spendOnce(.callback, nonce: Array(SHA256.hash(Array("\(owner)\u{0}\(nonce)".utf8))), until: until)
        }
    }
}
