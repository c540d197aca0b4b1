import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// A request for the upstream as the transport received it (Docs/proxy.md).
public struct ProxyCall: Sendable {
    public var method: String
    /// Upstream path and query, e.g. `/api/v1/Account/MA_X/Call/?limit=5`.
    public var target: String
    /// `X-Vault-Credential`: the credential for a path outside the partner and customer trees.
    public var credential: String?
    /// `X-Vault-Signature`, when the request is sealed-signed.
    public var signature: String?
    /// Lower-case hex SHA-256 of the body as received.
    public var bodySHA256: String
    /// The TCP listener accepts sealed-signed requests only.
    public var signedOnly: Bool
    /// Where an unauthenticated request came from (the TCP peer's address): its refusals are
    /// budgeted per source (`RefusalBudget`) rather than audited row by row.
    public var source: String?
    /// The program `exec --proxy` started, when the call is its: the audit row names it, while
    /// the grants of the caller who ran `exec` decide.
    public var child: ActorIdentity?

    public init(method: String, target: String, credential: String?, signature: String?, bodySHA256: String, signedOnly: Bool,
                source: String? = nil, child: ActorIdentity? = nil) {
        self.method = method
        self.target = target
        self.credential = credential
        self.signature = signature
        self.bodySHA256 = bodySHA256
        self.signedOnly = signedOnly
        self.source = source
        self.child = child
    }
}

/// A proxied request the vault allowed: what to attach and what to do with the answer.
public struct ProxyTicket: Sendable {
    public let authID: AuthID
    public let version: Int64
    public let fingerprint: String
    public let token: SecureTokenText
    /// The grant reveals tokens: a captured token may go back to the caller as is.
    public let reveal: Bool
    /// A create-account call: its answer is captured before it is released.
    public let capture: Bool
    public let requestID: String
    public let caller: Caller
    /// Who the audit rows of this call name: the caller, or the program `exec --proxy` started.
    public var actor: ActorIdentity { child ?? caller.identity }
    let child: ActorIdentity?
    /// Vobiz refused this credential before: a success must clear that.
    public let wasRejected: Bool
    /// The path lies in the partner or a customer tree, where a 401 speaks about the token.
    public let inKnownTree: Bool
}

extension VaultService {
    /// Decides whether a proxied request may go out, and with which credential. Allowed when the
    /// caller's grant has `proxy` for it, or when it bears a valid sealed signature for exactly
    /// this method, URL and body (whose nonce is then spent). Audited either way.
    public func authorizeProxy(caller: Caller, call: ProxyCall) throws(Refusal) -> ProxyTicket {
        let requestID = RequestID.currentOrNew
        var audit = RequestAudit(caller: caller, operation: .proxy, method: call.method, requestID: requestID)
        audit.actor = call.child
        if let source = call.source {
            return try budgeted(&audit, source: source) { (audit) throws(Refusal) in try proxy(caller: caller, call: call, audit: &audit) }
        }
        return try audited(&audit, mode: { _ in call.child != nil ? "exec" : call.signature == nil ? "granted" : "sealed" }) { (audit) throws(Refusal) in
            try proxy(caller: caller, call: call, audit: &audit)
        }
    }

    private func proxy(caller: Caller, call: ProxyCall, audit: inout RequestAudit) throws(Refusal) -> ProxyTicket {
        let origin: String
        do { origin = try self.upstream.get().origin } catch { throw Refusal(.internal, error.description) }
        let t = try scopedTarget(origin + call.target, naming: call.credential, audit: &audit)
        let (keys, url, id, version) = (t.keys, t.url, t.id, t.version)
        var reveal = false
        if let signature = call.signature {
            try verifySealed(signature, method: call.method, url: url, bodySHA256: call.bodySHA256, authID: id)
            audit.grant = "sealed"
        } else {
            guard !call.signedOnly else {
                throw Refusal(.signatureInvalid, "this listener accepts sealed-signed requests only (X-Vault-Signature from POST /v1/headers)")
            }
            reveal = try grant(.proxy, caller: caller, method: call.method, target: t,
                               denial: "no grant allows this caller to proxy \(call.method) \(url.path) with \(id)", audit: &audit).reveal
        }
        try requireAuditWritable()
        let token = try open(version, id, keys)
        let text = token.withUnsafeBytes { SecureTokenText(String(decoding: $0, as: UTF8.self)) }
        return ProxyTicket(authID: id, version: version.version, fingerprint: version.fingerprint, token: text, reveal: reveal,
                           capture: CaptureRewrite.applies(method: call.method, path: url.path), requestID: audit.requestID, caller: caller,
                           child: call.child, wasRejected: t.wasRejected, inKnownTree: url.implied != .none)
    }

    /// Checks an `X-Vault-Signature` against this request, then spends its nonce.
    func verifySealed(_ header: String, method: String, url: ScopedURL, bodySHA256: String, authID: AuthID) throws(Refusal) {
        let store = self.store
        try signatures.verify(header, method: method, url: url, bodySHA256: bodySHA256, authID: authID, now: now,
                              keys: { try store.read { try $0.signingKeys() } },
                              spend: { (nonce, until) throws(Refusal) in try spendOnce(.sealed, nonce: nonce, until: until) })
    }

    /// Records what Vobiz said to a credential the vault attached: a 401 marks it rejected from
    /// now (once, with an audit row); a success clears an earlier rejection.
    public func noteUpstream(status: Int, authID: AuthID, by: String, actor: ActorIdentity) {
        let rejected = (try? cachedCredential(authID.rawValue))??.account.rejectedAt != nil
        let now = self.now
        if status == 401, !rejected {
            try? write { tx in
                guard var a = try tx.account(authID) else { return }
                a.rejectedAt = now
                a.rejectedBy = by
                try tx.update(a)
                try audit(tx, op: "upstream-rejected", actor: actor, authID: authID, outcome: .failed, reason: "401",
                          detail: ["by": by])
            }
        } else if (200..<300).contains(status), rejected {
            try? write { tx in
                guard var a = try tx.account(authID) else { return }
                a.rejectedAt = nil
                a.rejectedBy = nil
                try tx.update(a)
                try audit(tx, op: "upstream-accepted", actor: actor, authID: authID, detail: ["by": by])
            }
        }
    }

    /// Audits the check of a new token by `rotate --verify` (status nil: no answer). The caller
    /// clears a recorded rejection once the verified token is committed.
    public func noteVerification(authID: AuthID, status: Int?, actor: ActorIdentity) {
        let ok = status.map { (200..<300).contains($0) } ?? false
        try? write { tx in
            try audit(tx, op: "rotate-verify", actor: actor, authID: authID, outcome: ok ? .ok : .refused,
                      reason: status.map { "HTTP \($0)" } ?? "no answer")
        }
    }

    /// Stores the customer of a create-account answer (version 1, source `capture`, linked to
    /// the partner) durably, and gives the answer as the caller may see it: unless `reveal`,
    /// without the token anywhere in its body or `headers` (see `CaptureRewrite.withholding`).
    /// Throws, storing nothing, when the answer holds no one customer to store; then the caller
    /// must get the answer as it came, since it holds the only copy of the token.
    public func capture(answer: [UInt8], headers: [(name: String, value: String)] = [], actor: ActorIdentity,
                        reveal: Bool) throws(ServiceError) -> (answer: CaptureRewrite.Withheld, entry: ImportSummary.Entry) {
        let records: [ImportRecord]
        do {
            records = try answer.withUnsafeBytes { (b) throws(ImportParser.Failure) in try ImportParser.parse(b, format: .json) }
        } catch {
            throw .invalidInput("the create-account answer: \(error)")
        }
        guard records.count == 1, let r = records.first, r.kind == .customer else {
            records.forEach { $0.token.wipe() }
            throw .invalidInput("a create-account answer holds exactly one customer (MA_…) auth_id and auth_token")
        }
        // Storing wipes the record's token; the answer must still be searched for it after.
        let token = r.token.withUnsafeBytes { SecretScratch(Array($0)) }
        defer { token.wipe() }
        let summary = try importRecords(records, actor: actor, source: .capture)
        guard let entry = summary.imported.first ?? summary.unchanged.first else { throw .store("capture stored nothing") }
        if reveal { return (CaptureRewrite.Withheld(body: answer, headers: headers), entry) }
        return (CaptureRewrite.withholding(token, authID: entry.authID, fingerprint: entry.fingerprint, body: answer, headers: headers), entry)
    }
}
