import Foundation
import VaultCore

/// A typed client of the admin API (Docs/api.md) on the admin socket: each method is one
/// endpoint, answers decode into the same views the CLI prints, and a refusal comes back as
/// `AdminClientError.problem` with the API's stable type. Secrets (a new token) travel only in
/// request bodies, built in buffers that are wiped once sent.
public struct AdminClient: Sendable {
    public let client: VaultClient

    public init(_ client: VaultClient) { self.client = client }

    public func status() throws -> StatusView { try get("status") }
    /// One page: `after` is the `next` of the page before, `limit` its size (the daemon's default without one).
    public func credentials(after: String? = nil, limit: String? = nil) throws -> CredentialList {
        try get("credentials" + (try Self.queryString([("after", after), ("limit", limit)])))
    }
    public func credential(_ name: String) throws -> CredentialView { try get("credentials/" + (try Self.segment(name))) }

    public func due(within: String?, after: String? = nil, limit: String? = nil) throws -> DueList {
        try get("due" + (try Self.queryString([("within", within), ("after", after), ("limit", limit)])))
    }

    /// `after` and `limit` as the CLI was given them: the daemon judges them as offline.
    public func audit(after: String?, limit: String?, macs: Bool = false) throws -> AuditPage {
        try get("audit" + (try Self.queryString([("after", after), ("limit", limit), ("macs", macs ? "true" : nil)])))
    }

    /// The same pages as JSON text, each row as the daemon encoded it (what `--json` writes).
    public func credentialsJSON(after: String?, limit: String?) throws -> EncodedPage {
        try encoded("credentials" + (try Self.queryString([("after", after), ("limit", limit)])), key: "credentials")
    }

    public func dueJSON(within: String?, after: String?, limit: String?) throws -> EncodedPage {
        try encoded("due" + (try Self.queryString([("within", within), ("after", after), ("limit", limit)])), key: "due")
    }

    public func auditJSON(after: String?, limit: String?, macs: Bool) throws -> EncodedPage {
        try encoded("audit" + (try Self.queryString([("after", after), ("limit", limit), ("macs", macs ? "true" : nil)])), key: "events")
    }

    func encoded(_ path: String, key: String) throws -> EncodedPage {
        let r = try client.send(method: "GET", path: "/v1/admin/" + path)
        guard r.status == 200 else { throw AdminClientError(r) }
        guard let page = EncodedPage(answer: r.body, key: key) else {
            throw AdminClientError.malformed("the daemon's answer does not match the admin API: not a page of \(key)")
        }
        return page
    }

    /// `?k=v&…` of the parameters given (empty without any).
    static func queryString(_ pairs: [(String, String?)]) throws -> String {
        let given = pairs.compactMap { k, v in v.map { (k, $0) } }
        return (given.isEmpty ? "" : "?") + (try given.map { "\($0.0)=" + (try Self.query($0.1)) }.joined(separator: "&"))
    }

    /// `input` is the import formats (JSON or CSV) as bytes; `format` as `import --format`.
    public func importCredentials(_ input: UnsafeRawBufferPointer, format: String?) throws -> ImportView {
        var body = Array(input)
        defer { Self.wipe(&body) }
        return try post("import" + (try format.map { "?format=" + (try Self.query($0)) } ?? ""), body)
    }

    public func rotate(_ name: String, token: UnsafeRawBufferPointer, reason: String?, grace: String?, verify: Bool?) throws -> RotationView {
        // Room for the escaped token and every other member: the buffer never regrows.
        var body: [UInt8] = []
        body.reserveCapacity(token.count * 6 + 1024 + (reason?.utf8.count ?? 0) * 6)
        body += Array("{\"token\":".utf8)
        defer { Self.wipe(&body) }
        JSONText.appendString(token, to: &body)
        body += Self.members(["reason": reason.map(JSONText.quoted), "grace": grace.map(JSONText.quoted), "verify": verify.map { "\($0)" }])
        return try post("credentials/" + (try Self.segment(name)) + "/rotate", body)
    }

    public func rollback(_ name: String, reason: String?) throws -> RotationView {
        try post("credentials/" + (try Self.segment(name)) + "/rollback", Array("{".utf8) + Self.members(["reason": reason.map(JSONText.quoted)], first: true))
    }

    public func revoke(_ name: String, compromised: Bool, reason: String?) throws -> CredentialView {
        try post("credentials/" + (try Self.segment(name)) + "/revoke",
                 Array("{".utf8) + Self.members(["compromised": "\(compromised)", "reason": reason.map(JSONText.quoted)], first: true))
    }

    public func edit(_ name: String, label: String?, maxAge: String?, warn: String?, resetPolicy: Bool) throws -> CredentialView {
        let m: [String: String?] = ["label": label.map(JSONText.quoted), "max_age": maxAge.map(JSONText.quoted),
                                    "warn": warn.map(JSONText.quoted), "reset_policy": "\(resetPolicy)"]
        return try post("credentials/" + (try Self.segment(name)) + "/edit", Array("{".utf8) + Self.members(m, first: true))
    }

    /// `answer`: a create-account answer as Vobiz gave it.
    public func capture(_ answer: UnsafeRawBufferPointer) throws -> CaptureView {
        var body = Array(answer)
        defer { Self.wipe(&body) }
        return try post("capture", body)
    }

    public func setLoginCredentials(_ name: String, email: UnsafeRawBufferPointer, password: UnsafeRawBufferPointer) throws -> [String: String] {
        var body: [UInt8] = []
        body.reserveCapacity((email.count + password.count) * 6 + 64)
        defer { Self.wipe(&body) }
        body += Array("{\"email\":".utf8)
        JSONText.appendString(email, to: &body)
        body += Array(",\"password\":".utf8)
        JSONText.appendString(password, to: &body)
        body.append(UInt8(ascii: "}"))
        return try post("login-credentials/" + (try Self.segment(name)), body)
    }

    public func forgetLoginCredentials(_ name: String) throws -> [String: String] {
        try post("login-credentials/" + (try Self.segment(name)) + "/forget", Array("{}".utf8))
    }

    public func remind() throws -> RemindView { try get("remind") }

    public func policyCheck(uid: UInt32, gid: UInt32?, exe: String?, unit: String?, credential: String?, operation: String,
                            method: String, url: String) throws -> PolicyCheckView {
        let m: [String: String?] = ["uid": "\(uid)", "gid": gid.map { "\($0)" }, "exe": exe.map(JSONText.quoted), "unit": unit.map(JSONText.quoted),
                                    "credential": credential.map(JSONText.quoted), "operation": JSONText.quoted(operation),
                                    "method": JSONText.quoted(method), "url": JSONText.quoted(url)]
        return try post("policy/check", Array("{".utf8) + Self.members(m, first: true))
    }

    public func unseal(passphrase: UnsafeRawBufferPointer) throws -> [String: Bool] {
        var body: [UInt8] = []
        body.reserveCapacity(passphrase.count * 6 + 32)
        defer { Self.wipe(&body) }
        body += Array("{\"passphrase\":".utf8)
        JSONText.appendString(passphrase, to: &body)
        body.append(UInt8(ascii: "}"))
        return try post("unseal", body)
    }
    /// `newKey` (as a key file holds it) or `newPassphrase`, at most one; `dataKey` replaces the data key too.
    public func rekey(newKey: UnsafeRawBufferPointer?, newPassphrase: UnsafeRawBufferPointer?, dataKey: Bool) throws -> StatusView {
        var body: [UInt8] = []
        body.reserveCapacity(((newKey?.count ?? 0) + (newPassphrase?.count ?? 0)) * 6 + 64)
        defer { Self.wipe(&body) }
        body += Array("{\"data_key\":\(dataKey)".utf8)
        for (name, value) in [("new_key", newKey), ("new_passphrase", newPassphrase)] {
            guard let value else { continue }
            body += Array(",\"\(name)\":".utf8)
            JSONText.appendString(value, to: &body)
        }
        body.append(UInt8(ascii: "}"))
        return try post("rekey", body)
    }

    /// A consistent copy of the vault (ciphertext only) and its manifest.
    public func backup(maxSize: Int = 1 << 30) throws -> (database: [UInt8], manifest: BackupManifest) {
        var large = client
        large.maxAnswer = maxSize
        let r = try large.send(method: "POST", path: "/v1/admin/backup", body: Array("{}".utf8))
        guard r.status == 200 else { throw AdminClientError(r) }
        guard let header = r.header(BackupManifest.header),
              let manifest = try? JSONDecoder().decode(BackupManifest.self, from: Data(header.utf8)) else {
            throw AdminClientError.malformed("the daemon's backup answer has no readable \(BackupManifest.header) header")
        }
        return (r.body, manifest)
    }

    public func auditVerify() throws -> AuditVerdictView { try get("audit/verify") }
    public func reload() throws -> ReloadView { try post("reload", Array("{}".utf8)) }
    public func jwtSessions() throws -> JWTSessionList { try get("jwt") }
    public func fleet() throws -> FleetView { try get("fleet") }

    public func fleetAdmit(_ host: String, fingerprint: String) throws -> FleetView.Host {
        try post("fleet/" + (try Self.hostSegment(host)) + "/admit", Array("{\"fingerprint\":\(JSONText.quoted(fingerprint))}".utf8))
    }

    public func fleetRemove(_ host: String) throws -> [String: String] {
        try post("fleet/" + (try Self.hostSegment(host)) + "/remove", Array("{}".utf8))
    }

    static func hostSegment(_ s: String) throws -> String { try FleetHost(s).name }
    public func jwtLogin(_ name: String) throws -> JWTSessionView { try post("jwt/" + (try Self.segment(name)) + "/login", Array("{}".utf8)) }
    public func jwtForget(_ name: String) throws -> [String: String] { try post("jwt/" + (try Self.segment(name)) + "/forget", Array("{}".utf8)) }

    func get<T: Decodable>(_ path: String) throws -> T {
        try decode(client.send(method: "GET", path: "/v1/admin/" + path))
    }

    func post<T: Decodable>(_ path: String, _ body: [UInt8]) throws -> T {
        try decode(client.send(method: "POST", path: "/v1/admin/" + path, body: body))
    }

    func decode<T: Decodable>(_ r: VaultClient.Response) throws -> T {
        guard r.status == 200 else { throw AdminClientError(r) }
        do { return try AdminJSON.decode(T.self, from: r.body) } catch {
            throw AdminClientError.malformed("the daemon's answer does not match the admin API: \(error)")
        }
    }

    /// `,"k":v` for each present member, sorted, then `}`; `first` leaves out the leading comma.
    static func members(_ m: [String: String?], first: Bool = false) -> [UInt8] {
        let present = m.compactMap { k, v in v.map { "\"\(k)\":\($0)" } }.sorted()
        return Array(((first ? "" : (present.isEmpty ? "" : ",")) + present.joined(separator: ",") + "}").utf8)
    }

    /// A credential's name as a path segment: `partner` or an auth id, else refused here with
    /// the error the vault would give.
    static func segment(_ s: String) throws -> String {
        s == "partner" ? s : try AuthID(s).rawValue
    }

    /// A query value the API takes as is (a duration, a format): plain printable characters.
    static func query(_ s: String) throws -> String {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"%&#=+".utf8.contains($0) }) else {
            throw CoreError.invalidTimeSpan(s)
        }
        return s
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { p in for i in p.indices { p[i] = 0 } }
    }
}
