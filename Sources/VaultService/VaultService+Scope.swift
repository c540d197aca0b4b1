import VaultCore
import VaultCrypto
import VaultStore

/// What `POST /v1/headers` and the proxy share: the URL checked against the upstream and the
/// scope rules, the credential it implies, and the grant that allows the operation.
extension VaultService {
    struct ScopedTarget {
        let keys: VaultKeys
        let url: ScopedURL
        let id: AuthID
        let version: TokenVersionRecord
        let wasRejected: Bool
    }

    /// Parses `rawURL`, resolves the credential, and notes both in the audit row.
    func scopedTarget(_ rawURL: String, naming named: String?, audit: inout RequestAudit) throws(Refusal) -> ScopedTarget {
        guard let keys else { throw Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`") }
        let upstream: Upstream
        do { upstream = try self.upstream.get() } catch { throw Refusal(.internal, error.description) }
        let url: ScopedURL
        do { url = try ScopedURL(rawURL, upstream: upstream) } catch {
            throw Refusal(error.problemType == "scope_mismatch" ? .scopeMismatch : .badRequest, error.description)
        }
        audit.path = url.path
        let (account, version) = try credential(named: named, for: url)
        let id = try! AuthID(account.authID)
        audit.authID = id
        audit.version = version.version
        return ScopedTarget(keys: keys, url: url, id: id, version: version, wasRejected: account.rejectedAt != nil)
    }

    /// The grant that allows `operation` on the target, rate limit taken. A path outside the
    /// partner and customer trees needs a grant whose paths are written out.
    func grant(_ operation: GrantOperation, caller: Caller, method: String, target t: ScopedTarget, denial: @autoclosure () -> String,
               audit: inout RequestAudit) throws(Refusal) -> Grant {
        try grant(operation, caller: caller, credential: t.id, method: method, path: t.url.path,
                  explicitPathsOnly: t.url.implied == .none, denial: denial(), audit: &audit)
    }

    /// The grant that allows `operation` with `credential` for `method` and `path`, rate limit
    /// taken; the audit row names it, or every grant's reasons when there is none.
    func grant(_ operation: GrantOperation, caller: Caller, credential: AuthID, method: String, path: String,
               explicitPathsOnly: Bool, denial: @autoclosure () -> String,
               audit: inout RequestAudit) throws(Refusal) -> Grant {
        let request = PolicyRequest(operation: operation, credential: credential, method: method, path: path)
        switch authorizer.grant(request, caller: caller, explicitPathsOnly: explicitPathsOnly, now: clock.fractionalSeconds) {
        case .success(let grant):
            audit.grant = grant.name
            return grant
        case .failure(.notGranted(let reasons)):
            audit.denial = reasons
            throw Refusal(.notGranted, denial() + "; `vobiz-vault policy check` explains")
        case .failure(.rateLimited(let name, let rate)):
            audit.grant = name
            throw Refusal(.rateLimited, "grant \(name) allows \(rate) requests per second")
        }
    }

    /// Runs `body` and records its outcome: allowed with the mode it reports, or refused.
    func audited<T>(_ audit: inout RequestAudit, mode: (T) -> String,
                    _ body: (inout RequestAudit) throws(Refusal) -> T) throws(Refusal) -> T {
        do {
            let result = try body(&audit)
            try record(audit.allowed(mode: mode(result)))
            return result
        } catch {
            try? record(audit.refused(error))
            throw error
        }
    }

    func requireAuditWritable() throws(Refusal) {
        try auditLog.requireWritable(nowMillis: clock.millis)
    }
}
