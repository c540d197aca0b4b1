import Foundation
import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// The client socket: `POST /v1/headers`, `GET /v1/keys`, `POST /v1/jwt`, `POST /v1/callbacks/verify`,
/// the proxy (`/v1/proxy/…`), `exec --proxy` sessions (`/v1/exec…`) and `GET /v1/health`.
struct ClientRouter: AuditingRouter {
    let service: VaultService
    let metrics: DaemonMetrics
    let proxy: ProxyRoute
    let exec: ExecAPI

    /// On the daemon the vault's actor runs on this event loop, so the routes of this socket,
    /// which never suspend, are answered in place.
    func respondNow(to request: VaultRequest, peer: PeerContext, on loop: any EventLoop) -> VaultResponse? {
        guard loop.inEventLoop, (service.executor as AnyObject) === (loop as AnyObject) else { return nil }
        return service.assumeIsolated { service in
            switch (request.method, request.path) {
            case (.POST, "/v1/headers"): return headers(request, peer, service)
            case (.POST, "/v1/callbacks/verify"): return verify(request, peer, service)
            case (.GET, "/v1/health"):
                return Health.response(unlocked: service.isUnlocked, auditFailing: service.auditStatus.failing, storeUnavailable: service.storeUnavailable)
            default: return nil
            }
        }
    }

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        switch (request.method, request.path) {
        case (.POST, "/v1/headers"):
            return await headers(request, peer)
        case (.GET, "/v1/keys"):
            return await keys()
        case (.POST, "/v1/jwt"):
            return await jwt(request, peer)
        case (.POST, "/v1/callbacks/verify"):
            return await verify(request, peer, service)
        case (.GET, "/v1/health"):
            return await Health.response(service)
        case (_, let path) where path.hasPrefix(ProxyRules.prefix + "/") || path == ProxyRules.prefix:
            return await proxy.respond(to: request, peer: peer, signedOnly: false)
        case (_, let path) where ExecAPI.serves(path):
            return await exec.respond(to: request, peer: peer)
        case (_, "/v1/headers"), (_, "/v1/keys"), (_, "/v1/health"), (_, "/v1/jwt"), (_, "/v1/callbacks/verify"):
            return Problem.response(.methodNotAllowed, "\(request.method) is not allowed on \(request.path)")
        default:
            return Problem.response(.notFound, "no such endpoint: \(Echo.short(String(request.path), limit: 80))")
        }
    }

    func headers(_ request: VaultRequest, _ peer: PeerContext) async -> VaultResponse {
        await headers(request, peer, service)
    }

    func headers(_ request: VaultRequest, _ peer: PeerContext, _ service: isolated VaultService) -> VaultResponse {
        let start = ContinuousClock.now
        let parsed: HeadersRequest
        do {
            parsed = try request.body.withUnsafeReadableBytes { (b) throws(RequestError) in try HeadersRequest(json: b) }
        } catch {
            return unreadable(.headers, method: "-", error, peer, since: start, service)
        }
        do {
            let issued = try service.issueHeaders(caller: peer.caller, request: parsed)
            metrics.request(.headers, decision: "allowed", since: start)
            return VaultResponse(status: .ok, contentType: "application/json", body: Self.render(issued))
        } catch {
            metrics.request(.headers, decision: "refused", since: start)
            return Problem.response(error.type, error.detail)
        }
    }

    /// The answer of `POST /v1/headers`, written straight into the buffer (this runs for every
    /// request); the token of revealed headers goes from locked memory into the buffer.
    static func render(_ h: IssuedHeaders) -> ByteBuffer {
        let w = JSONWriter()
        w.literal("{\"headers\":{")
        for (i, (name, value)) in h.headers.enumerated() {
            if i > 0 { w.literal(",") }
            w.rawString(name)
            w.literal(":")
            w.rawString(value)
        }
        if let token = h.token {
            w.literal(",\"X-Auth-Token\":")
            w.rawSecret(token)
        }
        w.literal("},\"credential\":{\"auth_id\":")
        w.rawString(h.authID.rawValue)
        w.literal(",\"version\":" + String(h.version) + ",\"fingerprint\":")
        w.rawString(h.fingerprint)
        w.literal("},\"mode\":")
        w.rawString(h.mode.rawValue)
        w.literal(",\"expires_at\":")
        if let e = h.expiresAt { w.rawString(Timestamp.iso(e)) } else { w.literal("null") }
        w.literal(",\"request_id\":")
        w.rawString(h.requestID)
        w.literal("}")
        return w.buffer
    }

    /// A request body that does not decode: counted, audited, answered `bad_request`.
    func unreadable(_ op: GrantOperation, method: String, _ error: RequestError, _ peer: PeerContext,
                    since start: ContinuousClock.Instant, _ service: isolated VaultService) -> VaultResponse {
        metrics.request(op, decision: "refused", since: start)
        let refusal = Refusal(.badRequest, error.description)
        service.auditRefusal(caller: peer.caller, operation: AuditOperation(op), method: method, path: nil, refusal)
        return Problem.response(refusal.type, refusal.detail)
    }

    /// `POST /v1/callbacks/verify` → `{"valid","scheme","signed_by","token_version"}` (+ `reason`).
    func verify(_ request: VaultRequest, _ peer: PeerContext, _ service: isolated VaultService) -> VaultResponse {
        let start = ContinuousClock.now
        let parsed: CallbackRequest
        do {
            parsed = try request.body.withUnsafeReadableBytes { (b) throws(RequestError) in try CallbackRequest(json: b) }
        } catch {
            return unreadable(.verifyCallback, method: "POST", error, peer, since: start, service)
        }
        do {
            let v = try service.verifyCallback(caller: peer.caller, request: parsed)
            metrics.request(.verifyCallback, decision: v.valid ? "allowed" : "refused", since: start)
            let w = JSONWriter()
            w.literal("{\"valid\":" + (v.valid ? "true" : "false") + ",\"scheme\":")
            if let s = v.scheme { w.rawString(s.rawValue) } else { w.literal("null") }
            w.literal(",\"signed_by\":")
            if let s = v.signedBy { w.rawString(s) } else { w.literal("null") }
            w.literal(",\"token_version\":" + (v.tokenVersion.map { String($0) } ?? "null"))
            if let r = v.reason {
                w.literal(",\"reason\":")
                w.rawString(r)
            }
            w.literal("}")
            return VaultResponse(status: .ok, contentType: "application/json", body: w.buffer)
        } catch {
            metrics.request(.verifyCallback, decision: "refused", since: start)
            return Problem.response(error.type, error.detail)
        }
    }

    /// `POST /v1/jwt` `{"credential"?}` → `{"access_token","token_type":"Bearer","expires_at"}`.
    func jwt(_ request: VaultRequest, _ peer: PeerContext) async -> VaultResponse {
        let start = ContinuousClock.now
        let credential: String?
        do {
            credential = try request.body.withUnsafeReadableBytes { (b) throws(RequestError) in try JWTRequest.credential(json: b) }
        } catch {
            return await unreadable(.jwt, method: "POST", error, peer, since: start, service)
        }
        do {
            let issued = try await service.jwt(caller: peer.caller, credential: credential)
            metrics.request(.jwt, decision: "allowed", since: start)
            let w = JSONWriter()
            w.literal("{\"access_token\":")
            w.rawSecret(issued.accessToken)
            w.literal(",\"token_type\":\"Bearer\",\"expires_at\":")
            w.rawString(Timestamp.iso(issued.expiresAt))
            w.literal(",\"credential\":")
            w.rawString(issued.authID.rawValue)
            w.literal("}")
            return VaultResponse(status: .ok, contentType: "application/json", body: w.buffer)
        } catch {
            metrics.request(.jwt, decision: "refused", since: start)
            return Problem.response(error.type, error.detail)
        }
    }

    func keys() async -> VaultResponse {
        do {
            let keys = try await service.publicKeys()
            let w = JSONWriter()
            w.object {
                w.field("keys") {
                    w.array {
                        for k in keys {
                            w.object {
                                w.field("kid") { w.string(k.kid) }
                                w.field("public_key") { w.string(Base64.encode(k.publicKey, urlSafe: true)) }
                            }
                        }
                    }
                }
            }
            return VaultResponse(status: .ok, contentType: "application/json", body: w.buffer)
        } catch {
            return Problem.response(.internal, "cannot read signing keys")
        }
    }
}

/// The loopback TCP listener: the proxy only, for sealed-signed requests only (Docs/proxy.md).
struct TCPProxyRouter: AuditingRouter {
    let service: VaultService
    let proxy: ProxyRoute
    let metrics: DaemonMetrics

    /// Anyone on the host can reach this port: a proxy request without a well-formed, current
    /// signature is refused from its head, before its body is read. Such refusals are counted,
    /// not audited (auditing them would let anyone fill the log); requests with a well-formed
    /// signature are checked and audited like every other.
    func refuseEarly(_ head: HTTPRequestHead) -> VaultResponse? {
        guard head.uri.hasPrefix(ProxyRules.prefix) else { return nil }
        guard let value = head.headers.first(name: SealedSignature.headerName) else {
            metrics.request(.proxy, decision: "refused", since: .now)
            metrics.unauthenticatedRefusals.increment()
            return Problem.response(.signatureInvalid, "this listener accepts sealed-signed requests only (X-Vault-Signature from POST /v1/headers)")
        }
        do {
            try SealedSignature(parsing: value).checkTimes(now: service.clock.seconds)
            return nil
        } catch {
            metrics.request(.proxy, decision: "refused", since: .now)
            metrics.unauthenticatedRefusals.increment()
            return Problem.response(.signatureInvalid, error.description)
        }
    }

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        if request.path.hasPrefix(ProxyRules.prefix + "/") || request.path == ProxyRules.prefix {
            return await proxy.respond(to: request, peer: peer, signedOnly: true)
        }
        if request.method == .GET && request.path == "/v1/health" { return await Health.response(service) }
        return Problem.response(.notFound, "this listener serves \(ProxyRules.prefix)/… only")
    }
}

/// `GET /v1/health` on both sockets.
enum Health {
    static func response(_ service: VaultService) async -> VaultResponse {
        response(unlocked: await service.isUnlocked, auditFailing: await service.auditStatus.failing, storeUnavailable: await service.storeUnavailable)
    }

    /// 200 while the vault can serve; 503 (with `Retry-After`) and the reasons while it is
    /// sealed, its audit log cannot be written, or its shared store cannot be reached, so a load
    /// balancer or a readiness probe takes the status code alone.
    static func response(unlocked: Bool, auditFailing: Bool, storeUnavailable: Bool = false) -> VaultResponse {
        var reasons: [String] = []
        if !unlocked { reasons.append("the vault is sealed: run `vobiz-vault unseal`") }
        if auditFailing { reasons.append("the audit log cannot be written: requests are refused until it can") }
        if storeUnavailable { reasons.append("the shared store cannot be reached") }
        let w = JSONWriter()
        w.object {
            // The status values are the contract's (ok, sealed); trouble is reported beside them.
            w.field("status") { w.string(unlocked ? "ok" : "sealed") }
            w.field("version") { w.string(VaultVersion.current) }
            if auditFailing { w.field("audit") { w.string("failing") } }
            if storeUnavailable { w.field("store") { w.string("unavailable") } }
            if !reasons.isEmpty { w.field("reasons") { w.array { for r in reasons { w.string(r) } } } }
        }
        var answer = VaultResponse(status: reasons.isEmpty ? .ok : .serviceUnavailable, contentType: "application/json", body: w.buffer)
        if !reasons.isEmpty { answer.headers.add(name: "Retry-After", value: "1") }
        return answer
    }
}


