import Foundation
import NIOCore
import NIOHTTP1
import VaultCore
import VaultCrypto
import VaultService

/// What an admin command printed and returned, run inside the daemon.
public struct AdminResult: Sendable {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a CLI command against the daemon's vault, as the admin peer `caller`.
public typealias AdminRunner = @Sendable (_ args: [String], _ stdin: SecureBytes, _ caller: Caller) async -> AdminResult

/// The admin socket: `POST /v1/admin/<command…>` for every admin command, `GET /metrics`,
/// `GET /v1/health`. Only uid 0 and members of `[sockets] admin_group` get past the door.
struct AdminRouter: AuditingRouter {
    let service: VaultService
    let metrics: DaemonMetrics
    let adminGID: UInt32?
    let runner: AdminRunner
    let upstream: UpstreamClient

    func auditOperation(_ path: Substring) -> AuditOperation { .admin }

    /// The CLI's own channel for the commands the typed API does not cover yet: the command
    /// line runs inside the daemon and its output comes back as text.
    static let runPrefix = "/v1/admin/run/"

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        let c = peer.caller
        guard c.uid == 0 || adminGID.map({ ([c.gid] + c.groups).contains($0) }) == true else {
            let refusal = Refusal(.notGranted, "the admin socket accepts root and members of the admin group only")
            await service.auditRefusal(caller: c, operation: .admin, method: request.method.rawValue, path: String(request.path), refusal)
            return Problem.response(refusal.type, refusal.detail)
        }
        let path = String(request.path)
        switch (request.method, path) {
        case (.GET, "/metrics"): return await scrape()
        case (.GET, "/v1/health"): return await Health.response(service)
        case (.POST, _) where path.hasPrefix(Self.runPrefix):
            return await run(words: path.dropFirst(Self.runPrefix.count).split(separator: "/").map(String.init), request, c)
        default:
            if let typed = await AdminAPI(service: service, upstream: upstream).respond(to: request, caller: c) { return typed }
            return Problem.response(.notFound, "no such endpoint: \(Echo.short(path, limit: 80))")
        }
    }

    func scrape() async -> VaultResponse {
        let accounts = (try? await service.list()) ?? []
        let audit = await service.auditStatus
        metrics.refresh(accounts: accounts, defaults: service.config.rotation.policy, now: service.clock.seconds,
                        auditPending: audit.pending, auditFailing: audit.failing, auditDropped: audit.dropped)
        metrics.jwtLogins(await service.jwtLoginCounts)
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        buffer.writeBytes(metrics.registry.emitToBuffer())
        return VaultResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: buffer)
    }

    /// Body `{"args":[…],"stdin":"<base64>"}`; the path names the command and must match args.
    func run(words: [String], _ request: VaultRequest, _ caller: Caller) async -> VaultResponse {
        let parsed: (args: [String], stdin: SecureBytes)
        do { parsed = try request.body.withUnsafeReadableBytes { try AdminCall.decode($0) } } catch {
            return Problem.response(.badRequest, "\(error)")
        }
        guard !words.isEmpty, Array(parsed.args.prefix(words.count)) == words else {
            return Problem.response(.badRequest, "the path /v1/admin/\(words.joined(separator: "/")) does not match the command in args")
        }
        let result = await runner(parsed.args, parsed.stdin, caller)
        let w = JSONWriter()
        w.object {
            w.field("exit_code") { w.raw(String(result.exitCode)) }
            w.field("stdout") { w.string(result.stdout) }
            w.field("stderr") { w.string(result.stderr) }
        }
        return VaultResponse(status: .ok, contentType: "application/json", body: w.buffer)
    }
}

/// The admin call's body, decoded without the forwarded stdin ever becoming a String.
enum AdminCall {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ body: UnsafeRawBufferPointer) throws -> ([String], SecureBytes) {
        let v: JSONValue
        do { v = try JSONParser.parse(body) } catch { throw Invalid(description: error.description) }
        guard case .array(let items)? = v["args"] else { throw Invalid(description: "args must be an array of strings") }
        var args: [String] = []
        for i in items {
            guard case .string(let s) = i else { throw Invalid(description: "args must be an array of strings") }
            args.append(s.plainText)
        }
        var stdin = try SecureBytes(count: 0)
        if case .string(let encoded)? = v["stdin"] {
            let decoded = try SecureBytes(count: encoded.count * 3 / 4 + 3)
            let n: Int? = encoded.withUnsafeBytes { e in decoded.withUnsafeMutableBytes { Base64.decode(e, into: $0) } }
            guard let n else { throw Invalid(description: "stdin must be base64") }
            stdin = try decoded.prefix(n)
            encoded.wipe()
        }
        return (args, stdin)
    }
}
