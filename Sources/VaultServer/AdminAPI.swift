import Foundation
import NIOCore
import NIOHTTP1
import VaultCore
import VaultCrypto
import VaultService

/// The typed admin API (Docs/api.md, Docs/openapi.yaml): one endpoint per operation, JSON in
/// and out, problem+json errors with stable types. Secrets come only in request bodies and are
/// never echoed. Each route parses its input and hands it to `AdminOperations`, the same code
/// the CLI runs without a daemon.
struct AdminAPI: Sendable {
    let service: VaultService
    let reload: ConfigReload

    /// The answer to `request`, or nil when no typed route has its path.
    func respond(to request: VaultRequest, caller: Caller) async -> VaultResponse? {
        guard let route = AdminRoute(method: request.method.rawValue, path: request.path) else { return nil }
        let ops = AdminOperations(service: service, actor: caller.identity)
        do {
            return try await answer(route, request, ops)
        } catch let e as ServiceError {
            return Problem.response(e.problem, e.description)
        } catch let e as RequestError {
            return Problem.response(.badRequest, e.description)
        } catch {
            return Problem.response(.internal, "internal error")
        }
    }

    func answer(_ route: AdminRoute, _ request: VaultRequest, _ ops: AdminOperations) async throws -> VaultResponse {
        let query = try AdminQuery(request.uri, allowed: route.queryFields)
        switch route {
        case .status: return Self.ok(try await ops.status())
        case .credentials:
            let p = try await ops.credentials(after: query["after"], limit: query["limit"])
            return await Self.page("credentials", p.credentials, next: p.next.map(JSONText.quoted) ?? "null")
        case .credential(let name): return Self.ok(try await ops.credential(name))
        case .due:
            let p = try await ops.due(within: query["within"], after: query["after"], limit: query["limit"])
            return await Self.page("due", p.due, next: p.next.map(JSONText.quoted) ?? "null")
        case .audit:
            let p = try await ops.audit(after: query["after"], limit: query["limit"], macs: query["macs"])
            return await Self.page("events", p.events, next: p.next.map(String.init) ?? "null")
        case .importCredentials: return Self.ok(try await importCredentials(request, query, ops))
        case .rotate(let name): return Self.ok(try await rotate(name, request, ops))
        case .rollback(let name):
            let f = try fields(request, ["reason"])
            return Self.ok(try await ops.rollback(name, reason: try f.string("reason")))
        case .revoke(let name):
            let f = try fields(request, ["compromised", "reason"])
            return Self.ok(try await ops.revoke(name, compromised: try f.bool("compromised") ?? false, reason: try f.string("reason")))
        case .remind: return Self.ok(try await ops.remind())
        case .policyCheck: return Self.ok(try await policyCheck(request, ops))
        case .unseal:
            let f = try fields(request, ["passphrase"])
            defer { f.wipe() }
            let passphrase = try f.secret("passphrase").withUnsafeBytes { try SecureBytes(copying: $0) }
            return Self.ok(try await ops.unseal(passphrase: passphrase))
        case .auditVerify: return Self.ok(try await ops.auditVerify())
        case .reload:
            _ = try fields(request, [])
            switch await reload.run() {
            case .reloaded(let grants): return Self.ok(ReloadView(grants: grants))
            case .refused(let why): throw ServiceError.configInvalid(why)
            }
        case .fleet: return Self.ok(try await ops.fleet())
        case .fleetAdmit(let host):
            let f = try fields(request, ["fingerprint"])
            guard let fingerprint = try f.string("fingerprint") else { throw ServiceError.invalidInput("fingerprint is required") }
            return Self.ok(try await ops.fleetAdmit(host, fingerprint: fingerprint))
        case .fleetRemove(let host):
            _ = try fields(request, [])
            return Self.ok(try await ops.fleetRemove(host))
        case .jwtSessions: return Self.ok(try await ops.jwtSessions())
        case .jwtLogin(let name):
            _ = try fields(request, [])
            return Self.ok(try await ops.jwtLogin(name))
        case .jwtForget(let name):
            _ = try fields(request, [])
            return Self.ok(try await ops.jwtForget(name))
        case .capture:
            let input = try request.body.withUnsafeReadableBytes { try SecureBytes(copying: $0) }
            return Self.ok(try await ops.capture(input))
        case .setLoginCredentials(let name):
            let f = try fields(request, ["email", "password"])
            defer { f.wipe() }
            return Self.ok(try await ops.setLoginCredentials(name, secret: try Self.loginSecret(f)))
        case .forgetLoginCredentials(let name):
            _ = try fields(request, [])
            return Self.ok(try await ops.forgetLoginCredentials(name))
        case .rekey: return Self.ok(try await rekey(request, ops))
        case .backup:
            _ = try fields(request, [])
            return try Self.backup(try await ops.backup())
        case .edit(let name):
            let f = try fields(request, ["label", "max_age", "warn", "reset_policy"])
            return Self.ok(try await ops.edit(name, label: try f.string("label"), maxAge: try f.string("max_age"),
                                              warn: try f.string("warn"), resetPolicy: try f.bool("reset_policy") ?? false))
        }
    }

    func fields(_ request: VaultRequest, _ allowed: Set<String>) throws -> JSONFields {
        try request.body.withUnsafeReadableBytes { b in try JSONFields(json: b, allowed: allowed) }
    }

    /// The import formats as the body: JSON, or CSV (`?format=csv` or `Content-Type: text/csv`).
    func importCredentials(_ request: VaultRequest, _ query: AdminQuery, _ ops: AdminOperations) async throws -> ImportView {
        var format = query["format"]
        if format == nil, request.headers.first(name: "Content-Type")?.lowercased().hasPrefix("text/csv") == true { format = "csv" }
        let input = try request.body.withUnsafeReadableBytes { try SecureBytes(copying: $0) }
        return try await ops.importInput(input, format: format)
    }

    /// `{uid, gid?, exe?, unit?, credential?, operation?, method, url}`.
    func policyCheck(_ request: VaultRequest, _ ops: AdminOperations) async throws -> PolicyCheckView {
        let f = try fields(request, ["uid", "gid", "exe", "unit", "credential", "operation", "method", "url"])
        let operation = try f.string("operation") ?? "headers"
        guard let op = GrantOperation(rawValue: operation) else { throw RequestError.badField("unknown operation \(Echo.short(operation))") }
        guard let method = try f.string("method"), let url = try f.string("url") else { throw RequestError.badField("method and url are required") }
        guard let uid = try f.id("uid") else { throw RequestError.badField("missing uid") }
        let caller = SystemUsers.caller(uid: uid, gid: try f.id("gid"), exe: try f.string("exe"), unit: try f.string("unit"))
        do {
            return try await ops.policyCheck(PolicyCheck.Query(operation: op, credential: try f.string("credential"), method: method, url: url),
                                             caller: caller)
        } catch let e as ScopeError {
            throw RequestError.badField(e.description)
        } catch let e as CoreError {
            throw RequestError.badField(e.description)
        }
    }

    /// `{token, reason?, grace?, verify?}`; the token is copied into locked memory and the body wiped.
    func rotate(_ name: String, _ request: VaultRequest, _ ops: AdminOperations) async throws -> RotationView {
        let f = try fields(request, ["token", "reason", "grace", "verify"])
        defer { f.wipe() }
        let token = try f.secret("token").withUnsafeBytes { try SecureBytes(copying: $0) }
        return try await ops.rotate(name, token: token, reason: try f.string("reason"), grace: try f.string("grace"),
                                    verify: try f.bool("verify"))
    }

    /// `{new_key?, new_passphrase?, data_key?}`: at most one new master key (a key as a key file
    /// holds it: 32 bytes as base64 or hex), in locked memory; the body is wiped.
    func rekey(_ request: VaultRequest, _ ops: AdminOperations) async throws -> StatusView {
        let f = try fields(request, ["new_key", "new_passphrase", "data_key"])
        defer { f.wipe() }
        var master: MasterKeyInput?
        if f.has("new_key"), f.has("new_passphrase") { throw RequestError.badField("give new_key or new_passphrase, not both") }
        if f.has("new_key") {
            let raw = try f.secret("new_key").withUnsafeBytes { try SecureBytes(copying: $0) }
            master = .key(try KeyFile.fromInput(raw, source: "in new_key"))
        } else if f.has("new_passphrase") {
            let passphrase = try f.secret("new_passphrase").withUnsafeBytes { try SecureBytes(copying: $0) }
            guard passphrase.count > 0 else { throw RequestError.badField("new_passphrase is empty") }
            master = .passphrase(passphrase)
        }
        return try await ops.rekey(newMaster: master, dataKey: try f.bool("data_key") ?? false)
    }

    /// The copy as the body; its manifest, compact, in a header.
    static func backup(_ copy: BackupCopy) throws -> VaultResponse {
        let manifest = String(decoding: try JSONEncoder().encode(copy.manifest), as: UTF8.self)
        var body = ByteBufferAllocator().buffer(capacity: copy.database.count)
        body.writeBytes(copy.database)
        var response = VaultResponse(status: .ok, contentType: "application/vnd.sqlite3", body: body)
        response.headers.add(name: BackupManifest.header, value: manifest)
        return response
    }

    /// `email` and `password` joined by a newline, in locked memory.
    static func loginSecret(_ f: JSONFields) throws -> SecureBytes {
        let email = try f.secret("email"), password = try f.secret("password")
        return try email.withUnsafeBytes { e in try password.withUnsafeBytes { p in try LoginSecret.join(e, p) } }
    }

    /// A listing's page (up to 10,000 rows) as `{"<key>":[rows],"next":<next>}`, the bytes
    /// `AdminJSON` gives the whole page compactly: its two halves encoded at once on the shared
    /// pool (a thread per core), never on the event loop that serves every connection.
    static func page<Row: Encodable & Sendable>(_ key: String, _ rows: [Row], next: String) async -> VaultResponse {
        let mid = rows.count / 2
        async let first = Task.detached { rowsJSON(rows[..<mid]) }.value
        async let second = Task.detached { rowsJSON(rows[mid...]) }.value
        let text = "{\"\(key)\":[" + (await [first, second]).filter { !$0.isEmpty }.joined(separator: ",") + "],\"next\":" + next + "}\n"
        var body = ByteBufferAllocator().buffer(capacity: text.utf8.count)
        body.writeString(text)
        return VaultResponse(status: .ok, contentType: "application/json", body: body)
    }

    /// The rows as a JSON array's members, without the brackets.
    static func rowsJSON<Row: Encodable>(_ rows: ArraySlice<Row>) -> String {
        guard !rows.isEmpty else { return "" }
        return String(AdminJSON.encode(Array(rows), pretty: false).dropFirst().dropLast())
    }

    static func ok(_ value: some Encodable) -> VaultResponse {
        var body = ByteBufferAllocator().buffer(capacity: 512)
        body.writeString(AdminJSON.encode(value) + "\n")
        return VaultResponse(status: .ok, contentType: "application/json", body: body)
    }
}
