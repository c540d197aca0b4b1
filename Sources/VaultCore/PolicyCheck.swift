/// `policy check`: which grant allows a request, or every reason none does, judged as the daemon
/// would judge it — a credential the vault does not hold (or holds revoked) first, then the
/// grants. Pure: the caller supplies the policy, the vault's credentials (nil when the vault
/// could not be read) and the caller's identity.
public struct PolicyCheck: Sendable {
    public struct Query: Sendable {
        public var operation: GrantOperation
        public var credential: String?
        public var method: String
        public var url: String

        public init(operation: GrantOperation, credential: String?, method: String, url: String) {
            self.operation = operation
            self.credential = credential
            self.method = method
            self.url = url
        }
    }

    public let policy: Policy
    public let upstream: Upstream
    /// Why the configuration file did not load, when the daemon kept an older policy.
    public let reloadError: String?
    public let partner: AuthID?
    /// The accounts the check may consult: the vault's, or just the one the request uses.
    public let accounts: [AccountInfo]?

    public init(policy: Policy, upstream: Upstream, reloadError: String?, partner: AuthID?, accounts: [AccountInfo]?) {
        self.policy = policy
        self.upstream = upstream
        self.reloadError = reloadError
        self.partner = partner
        self.accounts = accounts
    }

    /// Throws what the daemon would refuse the URL or the named credential with (`ScopeError`, `CoreError`).
    public func run(_ q: Query, caller: Caller) throws -> PolicyCheckView {
        var lines: [String] = []
        if let reloadError { lines.append("note: the configuration file does not load (\(reloadError)); the daemon keeps the policy below") }
        let scoped = try ScopedURL(q.url, upstream: upstream)
        let request = try self.request(q, scoped)
        if let accounts {
            if let refusal = Self.credentialRefusal(request.credential, accounts: accounts, partnerKnown: partner != nil) {
                return PolicyCheckView(allowed: false, lines: lines + ["denied: " + refusal])
            }
        } else {
            lines.append("note: the vault could not be read; whether it holds the credential is not checked")
        }
        let applicable = scoped.implied == .none ? Policy(grants: policy.grants.filter(\.pathsExplicit)) : policy
        if scoped.implied == .none { lines.append("note: the path is outside the partner and customer trees; only grants with paths written out apply") }
        switch applicable.decide(caller, request) {
        case .allowed(let g):
            lines.append("allowed by grant \"\(g.name)\" (\(g.reveal ? "revealed" : "sealed") headers\(g.rate.map { ", \($0) requests/s" } ?? ""))")
            return PolicyCheckView(allowed: true, lines: lines)
        case .denied(let reasons):
            lines.append(reasons.isEmpty ? "denied: the policy has no grants" : "denied:")
            for r in reasons { lines.append("  grant \"\(r.grant)\": " + r.reasons.joined(separator: "; ")) }
            return PolicyCheckView(allowed: false, lines: lines)
        }
    }

    /// The credential the request would use, so the caller can hand over just that account
    /// (`accounts`) rather than the whole vault.
    public func credential(_ q: Query) throws -> AuthID {
        try request(q, try ScopedURL(q.url, upstream: upstream)).credential
    }

    func request(_ q: Query, _ scoped: ScopedURL) throws -> PolicyRequest {
        // Stands for the partner of a vault that holds none, so the grants can still be judged.
        let placeholder = try AuthID("PA_PARTNER")
        let named = try q.credential.map { $0 == "partner" ? (partner ?? placeholder) : try AuthID($0) }
        let id: AuthID
        switch scoped.implied {
        case .partner:
            if let n = named, n.kind != .partner { throw ScopeError.mismatch(path: scoped.path, named: n.rawValue) }
            id = named ?? partner ?? placeholder
        case .customer(let c):
            if let n = named, n != c { throw ScopeError.mismatch(path: scoped.path, named: n.rawValue) }
            id = c
        case .none:
            guard let n = named else { throw ScopeError.credentialRequired }
            id = n
        }
        return PolicyRequest(operation: q.operation, credential: id, method: q.method.uppercased(), path: scoped.path)
    }

    /// Why the daemon would refuse `id` before consulting any grant, as it does: a credential
    /// the vault does not hold (`unknown_credential`) or one not active (`credential_revoked`).
    static func credentialRefusal(_ id: AuthID, accounts: [AccountInfo], partnerKnown: Bool) -> String? {
        if id.kind == .partner && !partnerKnown {
            return "this vault holds no partner credential (the daemon answers unknown_credential); import it first"
        }
        guard let account = accounts.first(where: { $0.authID == id }) else {
            return "no credential \(id.rawValue) in this vault (the daemon answers unknown_credential); import it first"
        }
        guard account.state == .active else {
            return "\(id.rawValue) is \(account.state.rawValue) (the daemon answers credential_revoked); rotate it before use"
        }
        return nil
    }
}
