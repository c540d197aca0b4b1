import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// A complete request as routes see it.
struct VaultRequest: Sendable {
    let method: HTTPMethod
    let uri: String
    let headers: HTTPHeaders
    let body: ByteBuffer
    let keepAlive: Bool

    var path: Substring {
        guard let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return uri[...] }
        return uri[..<q]
    }
}

/// A response: a complete body, or a stream of chunks written as they come.
struct VaultResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
    var stream: BodyPump?

    init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(status: HTTPResponseStatus, headers: HTTPHeaders, stream: BodyPump) {
        self.status = status
        self.headers = headers
        body = ByteBuffer()
        self.stream = stream
    }

    init(status: HTTPResponseStatus, contentType: String, body: ByteBuffer) {
        self.status = status
        headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(body.readableBytes))])
        self.body = body
    }
}

/// Produces a streamed body by handing chunks to a writer, in order.
struct BodyPump: Sendable {
    let run: @Sendable (BodyWriter) async throws -> Void
}

/// Sends one chunk of a streamed body to the client; returns once it is written.
struct BodyWriter: Sendable {
    let write: @Sendable (ByteBuffer) async throws -> Void
    func callAsFunction(_ chunk: ByteBuffer) async throws { try await write(chunk) }
}

/// Answers requests of one socket (client or admin).
protocol Router: Sendable {
    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse
    /// Answers at once on the event loop when the route can (no suspension, no thread hop);
    /// nil sends the request down the asynchronous path.
    func respondNow(to request: VaultRequest, peer: PeerContext, on loop: any EventLoop) -> VaultResponse?
    /// A refusal decided from the request head alone, before the body is read.
    func refuseEarly(_ head: HTTPRequestHead) -> VaultResponse?
}

extension Router {
    func respondNow(to request: VaultRequest, peer: PeerContext, on loop: any EventLoop) -> VaultResponse? { nil }
    func refuseEarly(_ head: HTTPRequestHead) -> VaultResponse? { nil }
}

/// Routers that can put a transport-level refusal in the audit log.
protocol AuditingRouter: Router {
    var service: VaultService { get }
    /// The operation a refusal of a request to `path` is audited under.
    func auditOperation(_ path: Substring) -> AuditOperation
}

extension AuditingRouter {
    func auditOperation(_ path: Substring) -> AuditOperation { .clientRoute(path) }
}

extension Router {
    /// Audits a refusal decided by the transport (in the background: the answer does not wait).
    /// `caller` replaces the connection's caller in the row (a process that changed since it
    /// connected is recorded as what it runs now).
    func auditRefusal(_ refusal: Refusal, request: VaultRequest, peer: PeerContext, caller: Caller? = nil) {
        guard let r = self as? any AuditingRouter else { return }
        let service = r.service, caller = caller ?? peer.caller, method = request.method.rawValue, path = String(request.path)
        let operation = r.auditOperation(request.path)
        Task { await service.auditRefusal(caller: caller, operation: operation, method: method, path: path, refusal) }
    }
}
