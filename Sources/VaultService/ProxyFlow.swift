import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import VaultCore

/// One proxied call from decision to answer (Docs/proxy.md): the vault's ticket (grant or
/// sealed signature), the call with the credential attached, what Vobiz's answer says about
/// the credential (a 401 on a path the vault chose it for), and the capture of a new
/// customer's token. The transport hands in the request and writes out what comes back.
public struct ProxyFlow: Sendable {
    let service: VaultService
    let upstream: any UpstreamSending
    /// The largest answer read whole (a create-account answer is, before it is released).
    let maxBody: Int
    let logger: Logger

    public init(service: VaultService, upstream: any UpstreamSending, maxBody: Int, logger: Logger) {
        self.service = service
        self.upstream = upstream
        self.maxBody = maxBody
        self.logger = logger
    }

    /// What the transport writes back.
    public enum Answer: Sendable {
        /// Refused before anything went out.
        case refused(Refusal)
        /// No answer came (or a create-account answer could not be read whole): 502, or 504
        /// when the upstream did not answer within `[upstream] timeout`.
        case unavailable(String, timedOut: Bool = false)
        /// Vobiz's answer, to be passed on as it comes.
        case passThrough(HTTPClientResponse)
        /// A create-account answer, read whole and stored, as the caller may see it.
        case whole(status: HTTPResponseStatus, headers: [(name: String, value: String)], body: ByteBuffer)
    }

    public struct Result: Sendable {
        public let answer: Answer
        /// Vobiz's status, when it answered.
        public let upstreamStatus: Int?
        /// The credential this answer marked rejected (a 401 where the vault chose it).
        public let rejected: AuthID?
    }

    public func forward(_ call: ProxyCall, caller: Caller, headers incoming: [(name: String, value: String)],
                        body: ByteBuffer) async -> Result {
        let ticket: ProxyTicket
        do { ticket = try await service.authorizeProxy(caller: caller, call: call) } catch {
            return Result(answer: .refused(error), upstreamStatus: nil, rejected: nil)
        }
        let headers = ticket.capture ? ProxyRules.captureRequestHeaders(incoming) : ProxyRules.forwardedRequestHeaders(incoming)
        let answer: HTTPClientResponse
        do {
            answer = try await upstream.send(method: call.method, target: call.target, headers: headers, body: body,
                                             authID: ticket.authID, token: ticket.token)
        } catch {
            logger.warning("upstream call failed", metadata: ["request_id": "\(ticket.requestID)", "error": "\(error)"])
            var timedOut = false
            if case .timeout = error { timedOut = true }
            return Result(answer: .unavailable(error.description, timedOut: timedOut), upstreamStatus: nil, rejected: nil)
        }
        let status = Int(answer.status.code)
        var rejected: AuthID?
        // A 401 speaks about the token only on the paths where the vault chose it by scope.
        if ticket.inKnownTree && (status == 401 || (ticket.wasRejected && (200..<300).contains(status))) {
            await service.noteUpstream(status: status, authID: ticket.authID, by: "proxy", actor: ticket.actor)
            if status == 401 { rejected = ticket.authID }
        }
        if ticket.capture && (200..<300).contains(status) {
            return Result(answer: await captured(answer, ticket), upstreamStatus: status, rejected: rejected)
        }
        return Result(answer: .passThrough(answer), upstreamStatus: status, rejected: rejected)
    }

    /// Reads the whole create-account answer, stores the new customer durably, then releases
    /// the answer without the token. An answer the vault cannot store from never loses the
    /// one-time token: the original goes back, flagged `failed`.
    func captured(_ answer: HTTPClientResponse, _ ticket: ProxyTicket) async -> Answer {
        let body: ByteBuffer
        do {
            body = try await answer.body.collect(upTo: maxBody)
        } catch {
            logger.error("CAPTURE FAILED: the create-account answer could not be read whole; a customer may have been created without its token reaching the vault or the caller: check the Vobiz console",
                         metadata: ["request_id": "\(ticket.requestID)", "error": "\(UpstreamError.classify(error))"])
            return .unavailable("the create-account answer could not be read whole (\(UpstreamError.classify(error))); a customer may have been created: check the Vobiz console")
        }
        var headers = ProxyRules.returnedResponseHeaders(answer.headers.map { ($0.name, $0.value) })
        var out = body
        do {
            if let encoding = answer.headers.first(name: "Content-Encoding"), encoding.lowercased() != "identity" {
                throw UpstreamError.other(origin: upstream.origin, why: "the answer is \(encoding)-encoded despite Accept-Encoding: identity")
            }
            let result = try await service.capture(answer: Array(body.readableBytesView), headers: headers,
                                                   actor: ticket.actor, reveal: ticket.reveal)
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
        return .whole(status: answer.status, headers: headers, body: out)
    }
}

/// The one call the proxy makes: what `ProxyFlow` needs of `UpstreamClient`.
public protocol UpstreamSending: Sendable {
    var origin: String { get }
    func send(method: String, target: String, headers: [(name: String, value: String)], body: ByteBuffer?,
              authID: AuthID, token: SecureTokenText) async throws(UpstreamError) -> HTTPClientResponse
}

extension UpstreamClient: UpstreamSending {
    public var origin: String { base.origin }
}
