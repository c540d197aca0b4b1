import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import VaultCore
import VaultCrypto
import VaultService

/// `ANY /v1/proxy/<upstream path and query>` (Docs/proxy.md): authorised by the caller's `proxy`
/// grant or by a sealed signature, forwarded with the credential attached, the answer streamed
/// back; a create-account answer is captured before it is released.
struct ProxyRoute: Sendable {
    let service: VaultService
    let upstream: UpstreamClient
    let metrics: DaemonMetrics
    let logger: Logger
    let maxBody: Int

    func respond(to request: VaultRequest, peer: PeerContext, signedOnly: Bool) async -> VaultResponse {
        let start = ContinuousClock.now
        guard let target = ProxyRules.upstreamTarget(uri: request.uri) else {
            return Problem.response(.notFound, "name the upstream path after \(ProxyRules.prefix)/, e.g. \(ProxyRules.prefix)/api/v1/partner/me")
        }
        let call = ProxyCall(method: request.method.rawValue, target: target,
                             credential: request.headers.first(name: "X-Vault-Credential"),
                             signature: request.headers.first(name: SealedSignature.headerName),
                             bodySHA256: Hex.encode(request.body.withUnsafeReadableBytes { SHA256.hash($0) }),
                             signedOnly: signedOnly, source: peer.tcpSource)
        let ticket: ProxyTicket
        do {
            ticket = try await service.authorizeProxy(caller: peer.caller, call: call)
        } catch {
            metrics.request(.proxy, decision: "refused", since: start)
            guard peer.isTCP else { return Problem.response(error.type, error.detail) }
            metrics.unauthenticatedRefusals.increment()
            guard error.type == .rateLimited else { return Problem.response(error.type, error.detail) }
            // Over its budget: the source waits, and pays for a new connection each time.
            var answer = Problem.response(error.type, error.detail)
            answer.headers.replaceOrAdd(name: "Retry-After", value: "1")
            answer.headers.replaceOrAdd(name: "Connection", value: "close")
            return answer
        }
        metrics.request(.proxy, decision: "allowed", since: start)
        let incoming = request.headers.map { (name: $0.name, value: $0.value) }
        let headers = ticket.capture ? ProxyRules.captureRequestHeaders(incoming) : ProxyRules.forwardedRequestHeaders(incoming)
        let answer: HTTPClientResponse
        do {
            answer = try await upstream.send(method: call.method, target: target, headers: headers, body: request.body,
                                             authID: ticket.authID, token: ticket.token)
        } catch {
            metrics.upstream(status: nil)
            logger.warning("upstream call failed", metadata: ["request_id": "\(ticket.requestID)", "error": "\(error)"])
            return Problem.response(.upstreamUnavailable, error.description)
        }
        let status = Int(answer.status.code)
        metrics.upstream(status: status)
        // A 401 speaks about the token only on the paths where the vault chose it by scope.
        if ticket.inKnownTree && (status == 401 || (ticket.wasRejected && (200..<300).contains(status))) {
            await service.noteUpstream(status: status, authID: ticket.authID, by: "proxy", actor: ticket.caller.identity)
            if status == 401 { metrics.rejected(ticket.authID) }
        }
        if ticket.capture && (200..<300).contains(status) {
            return await captured(answer, ticket)
        }
        return await passedThrough(answer)
    }

    /// Answers up to this size that announce their length are read whole and written at once;
    /// larger or unannounced ones stream.
    static let bufferedLimit = 256 << 10

    func passedThrough(_ answer: HTTPClientResponse) async -> VaultResponse {
        guard let length = Self.contentLength(answer), length <= Self.bufferedLimit else {
            return streamed(answer)
        }
        var headers = HTTPHeaders(ProxyRules.returnedResponseHeaders(answer.headers.map { ($0.name, $0.value) }))
        do {
            let body = try await answer.body.collect(upTo: length)
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            return VaultResponse(status: answer.status, headers: headers, body: body)
        } catch {
            return Problem.response(.upstreamUnavailable, "the upstream answer could not be read: \(UpstreamError.classify(error))")
        }
    }

    /// The upstream's announced length, read strictly (digits only).
    static func contentLength(_ answer: HTTPClientResponse) -> Int? {
        answer.headers.first(name: "Content-Length").flatMap { StrictInteger.decimal($0, maxDigits: 15) }.map(Int.init)
    }

    /// Passes the answer through as it arrives, within the body limit.
    func streamed(_ answer: HTTPClientResponse) -> VaultResponse {
        var headers = HTTPHeaders(ProxyRules.returnedResponseHeaders(answer.headers.map { ($0.name, $0.value) }))
        if let length = Self.contentLength(answer) {
            guard length <= maxBody else {
                return Problem.response(.upstreamUnavailable, "the upstream answer (\(length) bytes) exceeds [upstream] max_body (\(maxBody))")
            }
            headers.add(name: "Content-Length", value: String(length))
        }
        let body = answer.body, limit = maxBody
        return VaultResponse(status: answer.status, headers: headers, stream: BodyPump { write in
            var sent = 0
            for try await chunk in body {
                sent += chunk.readableBytes
                guard sent <= limit else { throw UpstreamError.tooLarge(limit: limit) }
                try await write(chunk)
            }
        })
    }

    /// Reads the whole create-account answer, stores the new customer durably, then releases
    /// the answer without the token. An answer the vault cannot store from never loses the
    /// one-time token: the original goes back, flagged `failed`.
    func captured(_ answer: HTTPClientResponse, _ ticket: ProxyTicket) async -> VaultResponse {
        let body: ByteBuffer
        do {
            body = try await answer.body.collect(upTo: maxBody)
        } catch {
            logger.error("CAPTURE FAILED: the create-account answer could not be read whole; a customer may have been created without its token reaching the vault or the caller: check the Vobiz console",
                         metadata: ["request_id": "\(ticket.requestID)", "error": "\(UpstreamError.classify(error))"])
            return Problem.response(.upstreamUnavailable,
                                    "the create-account answer could not be read whole (\(UpstreamError.classify(error))); a customer may have been created: check the Vobiz console")
        }
        var headers = ProxyRules.returnedResponseHeaders(answer.headers.map { ($0.name, $0.value) })
        var out = body
        do {
            if let encoding = answer.headers.first(name: "Content-Encoding"), encoding.lowercased() != "identity" {
                throw UpstreamError.other(origin: upstream.base.origin, why: "the answer is \(encoding)-encoded despite Accept-Encoding: identity")
            }
            let result = try await service.capture(answer: Array(body.readableBytesView), headers: headers,
                                                   actor: ticket.caller.identity, reveal: ticket.reveal)
            out = ByteBuffer(bytes: result.answer.body)
            headers = result.answer.headers + [("X-Vault-Capture", "stored")]
            var meta: Logger.Metadata = ["auth_id": "\(result.entry.authID)", "fingerprint": "\(result.entry.fingerprint)",
                                         "request_id": "\(ticket.requestID)"]
            if result.answer.bodyReplaced || !result.answer.droppedHeaders.isEmpty {
                // The token is stored and withheld; what the caller misses of Vobiz's answer is said here.
                if result.answer.bodyReplaced { headers.append(("X-Vault-Capture-Answer", "replaced")) }
                meta["dropped_headers"] = "\(result.answer.droppedHeaders)"
                logger.warning("captured a new customer; the answer held the token where it could not be rewritten, so the vault withheld \(result.answer.bodyReplaced ? "the body" : "headers")",
                               metadata: meta)
            } else {
                logger.info("captured a new customer", metadata: meta)
            }
        } catch {
            headers.append(("X-Vault-Capture", "failed"))
            logger.error("CAPTURE FAILED: the new customer's token was NOT stored; the caller received it and must import it",
                         metadata: ["request_id": "\(ticket.requestID)", "error": "\(error)"])
        }
        var framed = HTTPHeaders(headers)
        framed.add(name: "Content-Length", value: String(out.readableBytes))
        return VaultResponse(status: answer.status, headers: framed, body: out)
    }
}
