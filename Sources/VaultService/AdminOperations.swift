import VaultCore
import VaultCrypto

/// The admin operations with their answers in the admin surface's shapes: the one
/// implementation behind both the admin API on the daemon and the CLI run without a daemon.
/// Inputs arrive parsed (durations as text, tokens as locked memory); errors are
/// `ServiceError`s whose `problem` the API answers with.
public struct AdminOperations: Sendable {
    public let service: VaultService
    /// Who is acting: the admin-socket peer, or the user running the CLI.
    public let actor: ActorIdentity
    public init(service: VaultService, actor: ActorIdentity) {
        self.service = service
        self.actor = actor
    }

    var defaults: RotationPolicy { service.config.rotation.policy }

    public func status() async throws(ServiceError) -> StatusView {
        try await service.status().view
    }

    /// One page of credentials: at most `limit` (1…10000, 1000 by default) after the auth id
    /// `after` (the `next` of the page before).
    public func credentials(after: String? = nil, limit: String? = nil) async throws(ServiceError) -> CredentialList {
        let n = try Self.page(limit)
        var from: AuthID?
        if let after {
            guard let id = try? AuthID(after) else { throw .invalidInput("after must be the next of an earlier page (an auth id)") }
            from = id
        }
        let now = service.clock.seconds, defaults = self.defaults
        let page = try await service.credentialsPage(after: from, limit: n)
        return CredentialList(await Self.offLoop(page.infos) { CredentialView($0, defaults: defaults, now: now, withVersions: false) },
                              next: page.next?.rawValue)
    }

    public func credential(_ name: String) async throws(ServiceError) -> CredentialView {
        CredentialView(try await service.show(name), defaults: defaults, now: service.clock.seconds, withVersions: true)
    }

    /// `within`: a duration (`14d`); nil looks as far ahead as each credential's warn period.
    /// One page of it: at most `limit` (1…10000, 1000 by default) after `after` (the `next` of the page before).
    public func due(within: String?, after: String? = nil, limit: String? = nil) async throws(ServiceError) -> DueList {
        let window = try Self.span(within, "within")
        let n = try Self.page(limit)
        var from: DueSelection.Cursor?
        if let after {
            guard let c = DueSelection.Cursor(after) else { throw .invalidInput("after must be the next of an earlier page") }
            from = c
        }
        let page = try await service.duePage(within: window, after: from, limit: n)
        return DueList(await Self.offLoop(page.items) { DueView($0.account, $0.schedule) }, next: page.next?.text)
    }

    /// A page's rows made views on the shared pool: in the daemon the caller is the event loop,
    /// and a page of audit rows (each row's detail parsed) is milliseconds of work.
    static func offLoop<T: Sendable, V: Sendable>(_ rows: [T], _ view: @escaping @Sendable (T) -> V) async -> [V] {
        await Task.detached { rows.map(view) }.value
    }

    /// A listing's page size: 1…10000, 1000 without one.
    static func page(_ limit: String?) throws(ServiceError) -> Int {
        Int(try integer(limit, "limit", in: 1...Int64(VaultService.maxPage)) ?? 1000)
    }

    /// The audit rows after row `after` (or the newest, without it), at most `limit` (1…10000,
    /// 20 by default); `macs` (`true`/`false`) adds each row's MACs, as `audit export` writes them.
    public func audit(after: String?, limit: String?, macs: String? = nil) async throws(ServiceError) -> AuditPage {
        let n = try Self.integer(limit, "limit", in: 1...Int64(VaultService.maxPage)) ?? 20
        let from = try Self.integer(after, "after", in: 0...Int64.max)
        let withMACs: Bool
        switch macs {
        case nil, "false": withMACs = false
        case "true": withMACs = true
        default: throw .invalidInput("macs must be true or false")
        }
        let page = try await service.auditPage(after: from, limit: Int(n))
        return AuditPage(events: await Self.offLoop(page.events) { AuditEventView($0, withMACs: withMACs) },
                         next: page.more ? page.events.last?.seq : nil)
    }

    /// Replaces the master key (`newMaster`) and/or the data key; answers with the new status.
    public func rekey(newMaster: MasterKeyInput?, dataKey: Bool) async throws(ServiceError) -> StatusView {
        let status = try await service.rekey(newMaster: newMaster, newDataKey: dataKey, actor: actor)
        await service.checkpoint()
        return status.view
    }

    /// A consistent copy of the vault (ciphertext only) and its manifest, from a read-only
    /// connection of its own, beside whatever the vault is doing.
    public func backup() async throws(ServiceError) -> BackupCopy {
        let copy = try VaultService.backupCopy(config: service.config, clock: service.clock)
        try await service.recordBackup(copy.manifest, actor: actor)
        return copy
    }

    /// Unlocks a daemon's passphrase vault (nothing to do when it is unlocked already).
    public func unseal(passphrase: SecureBytes) async throws(ServiceError) -> [String: Bool] {
        try await service.unseal(.passphrase(passphrase), actor: actor)
        return ["unsealed": true]
    }

    /// Which grant allows a request by this caller, or every reason none does, against the policy
    /// in force (the daemon's, when it holds the vault) and the credentials the vault holds.
    public func policyCheck(_ q: PolicyCheck.Query, caller: Caller) async throws -> PolicyCheckView {
        let policy = await service.currentPolicy, upstream = try Upstream(baseURL: service.config.upstream.baseURL)
        let reloadError = await service.reloadError, partner = try? await service.resolveAuthID("partner")
        // Only the account the request would use is read, whatever the vault holds.
        let unread = PolicyCheck(policy: policy, upstream: upstream, reloadError: reloadError, partner: partner, accounts: nil)
        let used = try unread.credential(q)
        let check = PolicyCheck(policy: policy, upstream: upstream, reloadError: reloadError, partner: partner,
                                accounts: try? await service.accountInfos([used]))
        return try check.run(q, caller: caller)
    }


    /// What needs an operator: rotations due or overdue, unusable credentials, failing logins.
    public func remind() async throws(ServiceError) -> RemindView {
        RemindView(try await service.findings())
    }

    /// Checks the whole MAC chain (needs the key).
    public func auditVerify() async throws(ServiceError) -> AuditVerdictView {
        AuditVerdictView(try await service.auditVerify())
    }

    static func integer(_ text: String?, _ name: String, in range: ClosedRange<Int64>) throws(ServiceError) -> Int64? {
        guard let text else { return nil }
        guard let v = StrictInteger.decimal(text), range.contains(v) else {
            throw .invalidInput("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// `format`: `json` or `csv`; nil detects it from the first character.
    public func importInput(_ input: SecureBytes, format: String?) async throws(ServiceError) -> ImportView {
        var parsed: ImportParser.Format?
        if let format {
            guard let f = ImportParser.Format(rawValue: format) else { throw .invalidInput("format must be json or csv") }
            parsed = f
        }
        let s = try await service.importInput(input, format: parsed, actor: actor)
        await service.checkpoint()
        return Self.view(s)
    }

    /// `verify`: ask Vobiz first (nil follows `[rotation] verify`).
    public func rotate(_ name: String, token: SecureBytes, reason: String?, grace: String?, verify: Bool?) async throws(ServiceError) -> RotationView {
        let span = try Self.span(grace, "grace")
        let id = try await service.resolveAuthID(name)
        let verified = verify ?? service.config.rotation.verify
        if verified {
            do { try await UpstreamCheck.verify(token, of: id, service: service, actor: actor) } catch {
                throw error as? ServiceError ?? .invalidInput("\(error)")
            }
        }
        let r = try await service.rotate(name, token: token, reason: reason, grace: span, actor: actor)
        // The token Vobiz just accepted is now the active one: an earlier rejection is over.
        if verified { await service.noteUpstream(status: 200, authID: id, by: "verify", actor: actor) }
        await service.checkpoint()
        return Self.view(r)
    }

    public func rollback(_ name: String, reason: String?) async throws(ServiceError) -> RotationView {
        let r = try await service.rollback(name, reason: reason, actor: actor)
        await service.checkpoint()
        return Self.view(r)
    }

    public func revoke(_ name: String, compromised: Bool, reason: String?) async throws(ServiceError) -> CredentialView {
        let a = try await service.revoke(name, compromised: compromised, reason: reason, actor: actor)
        await service.checkpoint()
        return CredentialView(a, defaults: defaults, now: service.clock.seconds, withVersions: false)
    }

    /// `resetPolicy` drops the credential's own policy (it follows `[rotation]` again).
    public func edit(_ name: String, label: String?, maxAge: String?, warn: String?, resetPolicy: Bool) async throws(ServiceError) -> CredentialView {
        guard label != nil || maxAge != nil || warn != nil || resetPolicy else {
            throw .invalidInput("nothing to change: give a label, max_age, warn or reset_policy")
        }
        let m = try Self.span(maxAge, "max_age"), w = try Self.span(warn, "warn")
        let a = try await service.edit(name, label: label, maxAge: m, warn: w, resetPolicy: resetPolicy, actor: actor)
        await service.checkpoint()
        return CredentialView(a, defaults: defaults, now: service.clock.seconds, withVersions: false)
    }

    /// The create-account answer of a customer made outside the proxy: stored, then given back
    /// with its token vaulted.
    public func capture(_ answer: SecureBytes) async throws(ServiceError) -> CaptureView {
        var bytes = answer.withUnsafeBytes { Array($0) }
        defer { bytes.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } } }
        let r = try await service.capture(answer: bytes, actor: actor, reveal: false)
        await service.checkpoint()
        return CaptureView(authID: r.entry.authID.rawValue, version: r.entry.version, fingerprint: r.entry.fingerprint,
                           answer: String(decoding: r.answer.body, as: UTF8.self))
    }

    /// `secret`: the email, a newline, the password.
    public func setLoginCredentials(_ name: String, secret: SecureBytes) async throws(ServiceError) -> [String: String] {
        try await service.setLoginCredentials(name, secret: secret, actor: actor)
        await service.checkpoint()
        return ["set": name]
    }

    public func forgetLoginCredentials(_ name: String) async throws(ServiceError) -> [String: String] {
        try await service.forgetLoginCredentials(name, actor: actor)
        await service.checkpoint()
        return ["forgotten": name]
    }

    public func fleet() async throws(ServiceError) -> FleetView { try await service.fleet() }

    public func fleetAdmit(_ host: String, fingerprint: String) async throws(ServiceError) -> FleetView.Host {
        try await service.fleetAdmit(host, fingerprint: fingerprint, actor: actor)
    }

    public func fleetRemove(_ host: String) async throws(ServiceError) -> [String: String] {
        try await service.fleetRemove(host, actor: actor)
    }

    public func jwtSessions() async throws(ServiceError) -> JWTSessionList {
        let now = service.clock.seconds
        return JWTSessionList(try await service.jwtStatus().map { Self.view($0, now: now) })
    }

    /// Logs in now (also after a failed login).
    public func jwtLogin(_ name: String) async throws(ServiceError) -> JWTSessionView {
        let status = try await service.forceLogin(name)
        await service.checkpoint()
        guard let status else { throw .unknownCredential(name) }
        return Self.view(status, now: service.clock.seconds)
    }

    public func jwtForget(_ name: String) async throws(ServiceError) -> [String: String] {
        try await service.forgetSession(name, actor: actor)
        await service.checkpoint()
        return ["forgotten": name]
    }

    static func view(_ s: JWTSessionStatus, now: Int64) -> JWTSessionView {
        JWTSessionView(credential: s.authID.rawValue, state: s.state, hasLoginCredentials: s.hasLoginCredentials, issuedAt: s.issuedAt,
                       expiresAt: s.expiresAt, lastRefreshAt: s.lastRefreshAt, lastError: s.lastError, retryAt: s.retryAt,
                       lifetimeTooShort: s.lifetimeTooShort, now: now)
    }

    static func span(_ text: String?, _ name: String) throws(ServiceError) -> TimeSpan? {
        guard let text else { return nil }
        do { return try TimeSpan(parsing: text) } catch { throw .invalidInput("\(name): \(error.description)") }
    }

    static func view(_ r: RotationResult) -> RotationView {
        RotationView(authID: r.authID.rawValue, version: r.activeVersion, fingerprint: r.activeFingerprint,
                     previousVersion: r.previousVersion, previousDestroyAfter: r.previousDestroyAfter.map(Timestamp.iso))
    }

    static func view(_ s: ImportSummary) -> ImportView {
        func entry(_ e: ImportSummary.Entry) -> ImportView.Entry {
            ImportView.Entry(authID: e.authID.rawValue, kind: e.kind.rawValue, version: e.version, fingerprint: e.fingerprint)
        }
        return ImportView(imported: s.imported.map(entry), unchanged: s.unchanged.map(entry), linked: s.linked.map(\.rawValue))
    }
}
