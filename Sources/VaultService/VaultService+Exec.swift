import VaultCore

extension VaultService {
    /// Whether `caller` may open an `exec --proxy` session for `credential` (`partner` or an auth
    /// id): the credential must be held and active, and a grant must give the caller `proxy`
    /// with it. Each call the program then makes is decided again like any proxied call of the
    /// caller, so a narrower grant (methods, paths, rate) still holds. A refusal is audited
    /// here; the session's `open` row is written once its listener is up.
    public func authorizeExec(caller: Caller, credential: String) throws(Refusal) -> (authID: AuthID, grant: String) {
        var audit = RequestAudit(caller: caller, operation: .exec, method: "POST", requestID: RequestID.currentOrNew)
        do {
            return try allowExec(caller: caller, credential: credential, audit: &audit)
        } catch {
            try? record(audit.refused(error))
            throw error
        }
    }

    private func allowExec(caller: Caller, credential: String, audit: inout RequestAudit) throws(Refusal) -> (authID: AuthID, grant: String) {
        guard keys != nil else { throw Refusal(.sealed, "the vault is sealed; run `vobiz-vault unseal`") }
        let id = try heldCredential(named: credential)
        audit.authID = id
        guard let grant = authorizer.policy.sessionGrant(caller, .proxy, credential: id) else {
            audit.denial = "no grant gives this caller proxy with \(id)"
            throw Refusal(.notGranted, "no grant allows this caller to proxy with \(id), which exec --proxy needs; `vobiz-vault policy check` explains")
        }
        audit.grant = grant.name
        try requireAuditWritable()
        return (id, grant.name)
    }

    /// Records a step of an `exec --proxy` session (`open`, `attached`, `closed: why`), naming the
    /// program it serves once there is one.
    /// Throws when the row cannot be written: a session is not opened or named without its row.
    public func auditExecStep(caller: Caller, child: ActorIdentity?, authID: AuthID, method: String, step: String,
                              grant: String? = nil) throws(Refusal) {
        var audit = RequestAudit(caller: caller, operation: .exec, method: method, requestID: RequestID.currentOrNew)
        audit.actor = child
        audit.authID = authID
        audit.grant = grant
        try record(audit.allowed(mode: step))
    }

    /// `partner` or an auth id, as a credential the vault holds and may use.
    func heldCredential(named name: String) throws(Refusal) -> AuthID {
        let named = try namedCredential(name, partner: name == "partner" ? try cachedPartner() : nil)
        _ = try activeCredential(named.rawValue)
        return named
    }
}
