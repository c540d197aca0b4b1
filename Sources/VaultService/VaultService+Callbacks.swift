import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// Callback signature verification (Docs/callbacks.md, Docs/api.md `POST /v1/callbacks/verify`).
/// A callback nonce as remembered: per signing account, so one account's nonces never refuse
/// another's.
struct CallbackNonce: Hashable, Sendable {
    let owner: String
    let nonce: String
}

extension VaultService {
    /// How long an accepted callback nonce is refused again.
    public static let callbackNonceSeconds: Int64 = 600

    /// Checks a callback's signature with the credential's active token or, within its grace,
    /// the previous one (and, for the `-MA-` headers, the parent's). V3 decides when its header
    /// is present (it covers the query and the parameters); V2 otherwise. Audited.
    public func verifyCallback(caller: Caller, request: CallbackRequest) throws(Refusal) -> CallbackVerdict {
        var audit = RequestAudit(caller: caller, operation: .verifyCallback, method: request.method, requestID: Hex.encode(Random.data(count: 8)))
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

    private func callbackVerdict(caller: Caller, request: CallbackRequest, url: PythonURL,
                                 audit: inout RequestAudit) throws(Refusal) -> CallbackVerdict {
        guard let keys else { throw Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`") }
        let cache = try credentials()
        let name = request.credential == "partner" ? (cache.partner ?? "partner") : request.credential
        guard let id = try? AuthID(name) else { throw Refusal(.badRequest, "credential must be \"partner\" or an auth id") }
        guard let (account, _) = cache.byID[id.rawValue] else { throw Refusal(.unknownCredential, "no credential \(id) in this vault") }
        audit.authID = id
        guard account.state == .active else { throw Refusal(.credentialRevoked, "\(id) is \(account.state.rawValue)") }
        // The grant's paths are matched against the callback URL's path.
        _ = try grant(.verifyCallback, caller: caller, credential: id, method: request.method, path: url.path,
                      explicitPathsOnly: false, denial: "no grant allows this caller to verify callbacks for \(id)", audit: &audit)
        try requireAuditWritable()

        let h = request.headers
        let scheme: CallbackSignature.Scheme
        var candidates: [(signedBy: String, header: String, nonce: String, owner: String)] = []
        if h["x-vobiz-signature-v3"] != nil || h["x-vobiz-signature-ma-v3"] != nil {
            scheme = .v3
            if let s = h["x-vobiz-signature-v3"], let n = h["x-vobiz-signature-v3-nonce"] { candidates.append(("account", s, n, id.rawValue)) }
            if let s = h["x-vobiz-signature-ma-v3"], let n = h["x-vobiz-signature-ma-v3-nonce"] ?? h["x-vobiz-signature-v3-nonce"],
               let parent = account.parentAuthID { candidates.append(("parent", s, n, parent)) }
        } else if h["x-vobiz-signature-v2"] != nil || h["x-vobiz-signature-ma-v2"] != nil {
            scheme = .v2
            if let s = h["x-vobiz-signature-v2"], let n = h["x-vobiz-signature-v2-nonce"] { candidates.append(("account", s, n, id.rawValue)) }
            if let s = h["x-vobiz-signature-ma-v2"], let n = h["x-vobiz-signature-ma-v2-nonce"] ?? h["x-vobiz-signature-v2-nonce"],
               let parent = account.parentAuthID { candidates.append(("parent", s, n, parent)) }
        } else {
            return CallbackVerdict(valid: false, scheme: nil, reason: "no X-Vobiz-Signature-V3 or -V2 header")
        }
        guard !candidates.isEmpty else {
            return CallbackVerdict(valid: false, scheme: scheme, reason: "a signature header without its nonce header (or an -MA- header for an account without a parent)")
        }
        let now = self.now
        for c in candidates {
            let message = scheme == .v3
                ? CallbackSignature.v3Message(method: request.method, url: url, params: request.params, nonce: c.nonce)
                : CallbackSignature.v2Message(url: url, nonce: c.nonce)
            let offered = scheme == .v3 ? c.header.split(separator: ",", omittingEmptySubsequences: false).map { Data($0.utf8) } : [Data(c.header.utf8)]
            guard let owner = cache.byID[c.owner], let ownerID = try? AuthID(c.owner) else { continue }
            let versions = [owner.1].compactMap { $0 } + (cache.previous[c.owner] ?? []).filter { ($0.destroyAfter ?? 0) > now }
            for v in versions {
                let token = try open(v, ownerID, keys)
                guard let mac = try? HMACSHA256.mac(key: token, message: message) else { throw Refusal(.internal, "HMAC failed") }
                let expected = Data(Base64.encode(Array(mac)).utf8)
                // Every offered signature is compared, in constant time, whatever the earlier ones gave.
                var match = false
                for o in offered { match = ConstantTime.equals(o, expected) || match }
                guard match else { continue }
                switch callbackNonces.admit(CallbackNonce(owner: c.owner, nonce: c.nonce), until: now + Self.callbackNonceSeconds, now: now) {
                case .fresh: break
                case .replayed: throw Refusal(.replayed, "this callback's nonce was accepted in the last \(Self.callbackNonceSeconds / 60) minutes")
                case .full: throw Refusal(.rateLimited, "too many callback nonces in the last ten minutes; retry shortly")
                }
                return CallbackVerdict(valid: true, scheme: scheme, signedBy: c.signedBy, tokenVersion: v.version)
            }
        }
        return CallbackVerdict(valid: false, scheme: scheme, reason: "the signature matches neither the active token nor one within its grace")
    }
}
