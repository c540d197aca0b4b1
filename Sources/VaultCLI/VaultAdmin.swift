import Foundation
import VaultClient
import VaultCore
import VaultCrypto
import VaultService

/// The admin operations a command runs, wherever the vault is: `AdminOperations` on a vault
/// this process opened, or the admin API of the daemon that holds it. Both answer with the
/// same views, so each command renders one way.
protocol VaultAdmin: Sendable {
    func status() async throws -> StatusView
    func credentials(after: String?, limit: String?) async throws -> CredentialList
    func credential(_ name: String) async throws -> CredentialView
    func due(within: String?, after: String?, limit: String?) async throws -> DueList
    /// The listings' pages as JSON text (`--json`): through a daemon, each row as it encoded it.
    func credentialsJSON(after: String?, limit: String?) async throws -> EncodedPage
    func dueJSON(within: String?, after: String?, limit: String?) async throws -> EncodedPage
    func auditJSON(after: String?, limit: String?, macs: Bool) async throws -> EncodedPage
    func audit(after: String?, limit: String?, macs: Bool) async throws -> AuditPage
    func rekey(newMaster: MasterKeyInput?, dataKey: Bool) async throws -> StatusView
    func backup() async throws -> BackupCopy
    func importInput(_ input: SecureBytes, format: String?) async throws -> ImportView
    func rotate(_ name: String, token: SecureBytes, reason: String?, grace: String?, verify: Bool?) async throws -> RotationView
    func rollback(_ name: String, reason: String?) async throws -> RotationView
    func revoke(_ name: String, compromised: Bool, reason: String?) async throws -> CredentialView
    func edit(_ name: String, label: String?, maxAge: String?, warn: String?, resetPolicy: Bool) async throws -> CredentialView
    func capture(_ answer: SecureBytes) async throws -> CaptureView
    func setLoginCredentials(_ name: String, secret: SecureBytes) async throws -> [String: String]
    func forgetLoginCredentials(_ name: String) async throws -> [String: String]
    func jwtSessions() async throws -> JWTSessionList
    func auditVerify() async throws -> AuditVerdictView
    func remind() async throws -> RemindView
    func unseal(passphrase: SecureBytes) async throws -> [String: Bool]
    func policyCheck(_ q: PolicyCheck.Query, uid: UInt32, gid: UInt32?, exe: String?, unit: String?) async throws -> PolicyCheckView
    func jwtLogin(_ name: String) async throws -> JWTSessionView
    func jwtForget(_ name: String) async throws -> [String: String]
    func fleet() async throws -> FleetView
    func fleetAdmit(_ host: String, fingerprint: String) async throws -> FleetView.Host
    func fleetRemove(_ host: String) async throws -> [String: String]
}

extension AdminOperations: VaultAdmin {
    func credentialsJSON(after: String?, limit: String?) async throws -> EncodedPage {
        let page = try await credentials(after: after, limit: limit)
        return Self.encoded(page.credentials, next: page.next)
    }

    func dueJSON(within: String?, after: String?, limit: String?) async throws -> EncodedPage {
        let page = try await due(within: within, after: after, limit: limit)
        return Self.encoded(page.due, next: page.next)
    }

    func auditJSON(after: String?, limit: String?, macs: Bool) async throws -> EncodedPage {
        let page = try await audit(after: after, limit: limit, macs: macs ? "true" : nil)
        return Self.encoded(page.events, next: page.next.map(String.init))
    }

    /// Rows encoded as the daemon encodes them, so `--json` is the same bytes offline.
    static func encoded(_ rows: [some Encodable], next: String?) -> EncodedPage {
        let encoder = AdminJSON.encoder(pretty: false)
        return EncodedPage(rows: rows.map { AdminJSON.encode($0, with: encoder) }, next: next)
    }

    func audit(after: String?, limit: String?, macs: Bool) async throws -> AuditPage {
        try await audit(after: after, limit: limit, macs: macs ? "true" : nil)
    }

    func policyCheck(_ q: PolicyCheck.Query, uid: UInt32, gid: UInt32?, exe: String?, unit: String?) async throws -> PolicyCheckView {
        try await policyCheck(q, caller: SystemUsers.caller(uid: uid, gid: gid, exe: exe, unit: unit))
    }
}

extension AdminClient: VaultAdmin {
    func importInput(_ input: SecureBytes, format: String?) async throws -> ImportView {
        try input.withUnsafeBytes { try importCredentials($0, format: format) }
    }

    func rotate(_ name: String, token: SecureBytes, reason: String?, grace: String?, verify: Bool?) async throws -> RotationView {
        try token.withUnsafeBytes { try rotate(name, token: $0, reason: reason, grace: grace, verify: verify) }
    }

    func unseal(passphrase: SecureBytes) async throws -> [String: Bool] {
        try passphrase.withUnsafeBytes { try unseal(passphrase: $0) }
    }

    func policyCheck(_ q: PolicyCheck.Query, uid: UInt32, gid: UInt32?, exe: String?, unit: String?) async throws -> PolicyCheckView {
        try policyCheck(uid: uid, gid: gid, exe: exe, unit: unit, credential: q.credential, operation: q.operation.rawValue,
                        method: q.method, url: q.url)
    }

    func capture(_ answer: SecureBytes) async throws -> CaptureView {
        try answer.withUnsafeBytes { try capture($0) }
    }

    /// A new key goes as base64 (a JSON string holds text, the key is 32 random bytes).
    func rekey(newMaster: MasterKeyInput?, dataKey: Bool) async throws -> StatusView {
        switch newMaster {
        case nil: return try rekey(newKey: nil, newPassphrase: nil, dataKey: dataKey)
        case .passphrase(let p): return try p.withUnsafeBytes { try rekey(newKey: nil, newPassphrase: $0, dataKey: dataKey) }
        case .key(let k):
            let text = try SecureBytes(count: SecretCodec.base64Length(k.count) + 1)
            let n = text.withUnsafeMutableBytes { out in k.withUnsafeBytes { SecretCodec.encodeBase64($0, into: out) } }
            return try text.withUnsafeBytes { try rekey(newKey: UnsafeRawBufferPointer(rebasing: $0.prefix(n)), newPassphrase: nil, dataKey: dataKey) }
        }
    }

    func backup() async throws -> BackupCopy {
        let (database, manifest) = try backup(maxSize: 1 << 30)
        return BackupCopy(database: Data(database), manifest: manifest)
    }

    /// `secret` as `login-credentials set` reads it: the email, a newline, the password.
    func setLoginCredentials(_ name: String, secret: SecureBytes) async throws -> [String: String] {
        try secret.withUnsafeBytes { s in
            guard let nl = s.firstIndex(of: 0x0A) else {
                throw CLIError.usage("give the email on the first line and the password on the second")
            }
            var end = s.count
            while end > nl + 1, s[end - 1] == 0x0A || s[end - 1] == 0x0D { end -= 1 }
            return try setLoginCredentials(name, email: UnsafeRawBufferPointer(rebasing: s[..<nl]),
                                           password: UnsafeRawBufferPointer(rebasing: s[(nl + 1)..<end]))
        }
    }
}

extension CLIContext {
    /// The vault's admin operations: opened here when no daemon holds the vault, else the
    /// daemon's admin API.
    func admin(needKey: Bool) async throws -> any VaultAdmin {
        do {
            let service = try await openVault(needKey: needKey)
            // What opening destroyed (versions past their grace) leaves no frame in the WAL.
            await service.checkpoint()
            return AdminOperations(service: service, actor: actor)
        } catch ServiceError.daemonRunning {
            return try daemonAdmin()
        } catch let error as ServiceError {
            // An operator (root, an admin-group member) is not the owner of an installed
            // vault's state directory, so cannot see its lock: the admin socket says whether a
            // daemon serves it. The client checks the daemon is the directory's owner.
            guard case .stateDirectory = error, Self.isOthersDirectory(config.vault.stateDir),
                  Self.isSocket(options.adminSocket ?? config.sockets.admin) else { throw error }
            return try daemonAdmin()
        }
    }

    /// A real directory (not a symlink) that belongs to another user: an installed vault's,
    /// which its daemon holds. A missing or unsafe directory is reported as it is.
    static func isOthersDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR && st.st_uid != geteuid()
    }

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFSOCK
    }

    private func daemonAdmin() throws -> AdminClient {
        let uid = try DaemonUser.uid(config, stateDir: config.vault.stateDir)
        var client = VaultClient(socketPath: options.adminSocket ?? config.sockets.admin, expectedUID: uid)
        // The daemon may call Vobiz on our behalf (`rotate --verify`, `jwt login`): wait for
        // as long as it may wait, and then some, rather than report a failure that was not.
        client.timeout = max(client.timeout, Int(config.upstream.timeout.seconds) + 30)
        return AdminClient(client)
    }
}
