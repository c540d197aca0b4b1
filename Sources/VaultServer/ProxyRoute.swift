import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import VaultCore
import VaultCrypto
import VaultService

/// `ANY /v1/proxy/<upstream path and query>` (Docs/proxy.md): the request goes to the vault's
/// `ProxyFlow`, which decides, calls Vobiz and captures; this moves the bytes, and streams
/// back an answer too large to hold.
struct ProxyRoute: Sendable {
    let flow: ProxyFlow
    let metrics: DaemonMetrics
    let maxBody: Int

    func respond(to request: VaultRequest, peer: PeerContext, signedOnly: Bool) async -> VaultResponse {
        let start = ContinuousClock.now
        guard let target = ProxyRules.upstreamTarget(uri: request.uri) else {
            return Problem.response(.notFound, "name the upstream path after \(ProxyRules.prefix)/, e.g. \(ProxyRules.prefix)/api/v1/partner/me")
        }
        let call = ProxyCall(method: request.method.rawValue, target: target,
                             credential: request.headers.first(name: "X-Vault-Credential"),
                             signature: request.headers.first(name: SealedSignature.headerName),
                             bodySHA256: Self.bodySHA256(request), signedOnly: signedOnly, source: peer.tcpSource)
        return await forward(call, request, caller: peer.caller, tcp: peer.isTCP, since: start)
    }

    static func bodySHA256(_ request: VaultRequest) -> String {
        Hex.encode(request.body.withUnsafeReadableBytes { SHA256.hash($0) })
    }

    /// Sends `call` on through the vault's `ProxyFlow` and writes out what comes back.
    func forward(_ call: ProxyCall, _ request: VaultRequest, caller: Caller, tcp: Bool, since start: ContinuousClock.Instant) async -> VaultResponse {
        let result = await flow.forward(call, caller: caller, headers: request.headers.map { (name: $0.name, value: $0.value) },
                                        body: request.body)
        if case .refused(let refusal) = result.answer {
            metrics.request(.proxy, decision: "refused", since: start)
            return Self.refused(refusal, tcp: tcp, metrics: metrics)
        }
        metrics.request(.proxy, decision: "allowed", since: start)
        metrics.upstream(status: result.upstreamStatus)
        if result.rejected != nil { metrics.rejected() }
        switch result.answer {
        case .refused(let refusal): return Problem.response(refusal.type, refusal.detail)
        case .unavailable(let detail, let timedOut): return Problem.response(timedOut ? .upstreamTimeout : .upstreamUnavailable, detail)
        case .passThrough(let answer): return await passedThrough(answer)
        case .whole(let status, let headers, let body):
            var framed = HTTPHeaders(headers)
            framed.add(name: "Content-Length", value: String(body.readableBytes))
            return VaultResponse(status: status, headers: framed, body: body)
        }
    }

    /// A refusal; one of the TCP listener over its budget also waits, and pays for a new
    /// connection each time.
    static func refused(_ refusal: Refusal, tcp: Bool, metrics: DaemonMetrics) -> VaultResponse {
        var answer = Problem.response(refusal.type, refusal.detail)
        guard tcp else { return answer }
        metrics.unauthenticatedRefusals.increment()
        guard refusal.type == .rateLimited else { return answer }
        answer.headers.replaceOrAdd(name: "Retry-After", value: "1")
        answer.headers.replaceOrAdd(name: "Connection", value: "close")
        return answer
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
}
