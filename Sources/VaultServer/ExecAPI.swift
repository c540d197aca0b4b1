import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// The client socket's `exec --proxy` endpoints (Docs/api.md): `POST /v1/exec` opens a session,
/// `POST /v1/exec/{session}/child` names its program, `DELETE /v1/exec/{session}` ends it.
struct ExecAPI: Sendable {
    let sessions: ExecSessions
    let service: VaultService

    static let prefix = "/v1/exec"

    static func serves(_ path: Substring) -> Bool { path == prefix || path.hasPrefix(prefix + "/") }

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        // `/v1/exec`, `/v1/exec/{session}` or `/v1/exec/{session}/child`.
        let rest = request.path.dropFirst(Self.prefix.count)
        let parts = rest.isEmpty ? [] : rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        do {
            switch (request.method, parts.count, parts.last) {
            case (.POST, 0, _): return try await open(request, peer)
            case (.POST, 2, "child"): return try await attach(String(parts[0]), request, peer)
            case (.DELETE, 1, _): return try await close(String(parts[0]), peer)
            case (_, 0, _), (_, 2, "child"), (_, 1, _):
                return Problem.response(.methodNotAllowed, "\(request.method) is not allowed on \(Echo.short(String(request.path), limit: 80))")
            default:
                return Problem.response(.notFound, "no such endpoint: \(Echo.short(String(request.path), limit: 80))")
            }
        } catch {
            return Problem.response(error.type, error.detail)
        }
    }

    func open(_ request: VaultRequest, _ peer: PeerContext) async throws(Refusal) -> VaultResponse {
        let credential = try await parsed(request, peer) { (b) throws(RequestError) in try ExecRequest.credential(json: b) }
        let opened = try await sessions.open(caller: peer.caller, credential: credential)
        let w = JSONWriter()
        w.literal("{\"session\":")
        w.rawString(opened.session.id)
        w.literal(",\"base_url\":")
        w.rawString(opened.baseURL)
        w.literal(",\"auth_id\":")
        w.rawString(opened.session.authID.rawValue)
        w.literal(",\"token\":")
        w.rawString(opened.standIn)
        w.literal(",\"handoff\":")
        w.rawString(opened.handoff)
        w.literal(",\"attach_within_seconds\":" + String(ExecSession.attachDeadline.components.seconds) + "}")
        return VaultResponse(status: .created, contentType: "application/json", body: w.buffer)
    }

    func attach(_ id: String, _ request: VaultRequest, _ peer: PeerContext) async throws(Refusal) -> VaultResponse {
        let pid = try await parsed(request, peer) { (b) throws(RequestError) in try ExecRequest.pid(json: b) }
        let child = try await sessions.attach(id, pid: pid, caller: peer.caller)
        let w = JSONWriter()
        w.literal("{\"session\":")
        w.rawString(id)
        w.literal(",\"pid\":" + String(pid) + ",\"exe\":")
        if let exe = child.exe { w.rawString(exe) } else { w.literal("null") }
        w.literal("}")
        return VaultResponse(status: .ok, contentType: "application/json", body: w.buffer)
    }

    func close(_ id: String, _ peer: PeerContext) async throws(Refusal) -> VaultResponse {
        try await sessions.close(id, caller: peer.caller)
        return VaultResponse(status: .noContent, headers: HTTPHeaders([("Content-Length", "0")]), body: ByteBuffer())
    }

    /// The body read by `parse`; an unreadable one is audited and refused.
    func parsed<T>(_ request: VaultRequest, _ peer: PeerContext,
                   _ parse: (UnsafeRawBufferPointer) throws(RequestError) -> T) async throws(Refusal) -> T {
        do {
            return try request.body.withUnsafeReadableBytes { (b) throws(RequestError) in try parse(b) }
        } catch {
            let refusal = Refusal(.badRequest, error.description)
            await service.auditRefusal(caller: peer.caller, operation: .exec, method: "POST", path: String(request.path), refusal)
            throw refusal
        }
    }
}
