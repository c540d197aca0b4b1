import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import VaultCore

/// The vault's one way to the Vobiz API (Docs/architecture.md): AsyncHTTPClient with the
/// system's trust store, a connection pool, connect and total timeouts, no redirects (a
/// redirect would carry the credential elsewhere), no proxy from the environment.
public final class UpstreamClient: Sendable {
    public let base: Upstream
    let settings: VaultConfig.Upstream
    private let client: HTTPClient

    public init(config: VaultConfig.Upstream, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(UpstreamError) {
        do { base = try Upstream(baseURL: config.baseURL) } catch { throw .badBaseURL(error.description) }
        settings = config
        var c = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(config.connectTimeout.seconds), read: .seconds(config.timeout.seconds)),
            decompression: .disabled)
        // Each HTTP/1.1 connection carries one call at a time: AsyncHTTPClient's default of 8
        // per host would cap the proxy at 8 calls in flight, however many callers wait.
        c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: config.maxConnections)
        // No spans: a tracer would see every upstream URL, and even the no-op one costs a
        // span per request.
        c.tracing.tracer = nil
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: c)
    }

    /// Whether upstream calls make tracing spans (never: see init).
    var tracesRequests: Bool { client.tracer != nil }

    /// Ends pooled connections; the client is unusable afterwards.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// One call with the credential attached. The answer's body is not read here; the caller
    /// streams it. Errors never carry the request (and so never the token).
    public func send(method: String, target: String, headers: [(name: String, value: String)], body: ByteBuffer?,
                     authID: AuthID, token: SecureTokenText) async throws(UpstreamError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base.origin + target)
        request.method = HTTPMethod(rawValue: method)
        for h in headers { request.headers.add(name: h.name, value: h.value) }
        request.headers.replaceOrAdd(name: "X-Auth-ID", value: authID.rawValue)
        request.headers.replaceOrAdd(name: "X-Auth-Token", value: token.text)
        if let body, body.readableBytes > 0 || ["POST", "PUT", "PATCH"].contains(method) { request.body = .bytes(body) }
        do {
            return try await client.execute(request, timeout: .seconds(settings.timeout.seconds))
        } catch {
            throw UpstreamError.classify(error, origin: base.origin, connections: settings.maxConnections)
        }
    }

    /// A call whose whole answer is wanted (rotate --verify, JWT login), bounded by the body limit.
    public func call(method: String, target: String, headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil,
                     authID: AuthID, token: SecureTokenText) async throws(UpstreamError) -> (status: Int, body: ByteBuffer) {
        let response = try await send(method: method, target: target, headers: headers, body: body, authID: authID, token: token)
        do {
            return (Int(response.status.code), try await response.body.collect(upTo: settings.maxBody))
        } catch {
            throw UpstreamError.classify(error, origin: base.origin)
        }
    }
}

/// A token as header text for one upstream call. AsyncHTTPClient takes header values as
/// Strings, so this is the one place a token is a String: it lives for the duration of the
/// call and is not logged, printed or kept.
public struct SecureTokenText: Sendable, CustomStringConvertible {
    let text: String
    public init(_ text: String) { self.text = text }
    public var description: String { "<redacted>" }
}

/// Why the upstream could not be reached; messages name the origin, never the request.
public enum UpstreamError: Error, Equatable, Sendable, CustomStringConvertible {
    case badBaseURL(String)
    case connect(origin: String, why: String)
    case timeout(origin: String)
    case tooLarge(limit: Int)
    /// Every pooled connection stayed busy while the call waited for one.
    case allConnectionsBusy(origin: String, connections: Int)
    case other(origin: String, why: String)

    /// `connections`: the pool's size (`[upstream] max_connections`), for the message.
    public static func classify(_ error: any Error, origin: String = "the upstream", connections: Int = 0) -> UpstreamError {
        if let e = error as? UpstreamError { return e }
        if let e = error as? HTTPClientError {
            switch e {
            case .getConnectionFromPoolTimeout: return .allConnectionsBusy(origin: origin, connections: connections)
            // A connection never made is "could not be reached" (502); one made that never
            // answered is a timeout (504).
            case .connectTimeout: return .connect(origin: origin, why: "no connection within [upstream] connect_timeout")
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timeout(origin: origin)
            case .remoteConnectionClosed: return .other(origin: origin, why: "the connection was closed before an answer")
            // The error's name only: some carry the offending header values, which may be a token.
            default: return .other(origin: origin, why: String("\(e)".prefix { $0 != "(" }))
            }
        }
        if error is NIOTooManyBytesError { return .tooLarge(limit: 0) }
        if error is NIOConnectionError || error is IOError || error is ChannelError {
            return .connect(origin: origin, why: Echo.short("\(error)", limit: 160))
        }
        return .other(origin: origin, why: Echo.short("\(error)", limit: 160))
    }

    public var description: String {
        switch self {
        case .badBaseURL(let why): "[upstream] base_url: \(why)"
        case .connect(let o, let why): "cannot connect to \(o): \(why)"
        case .timeout(let o): "\(o) did not answer in time"
        case .tooLarge(let limit): limit > 0 ? "the upstream answer exceeds \(limit) bytes" : "the upstream answer exceeds [upstream] max_body"
        case .allConnectionsBusy(let o, let n):
            "all \(n > 0 ? "\(n) " : "")connections to \(o) ([upstream] max_connections) stayed busy for [upstream] connect_timeout: "
                + "raise max_connections, or look for what holds them (slow answers, callers slow to read streamed answers)"
        case .other(let o, let why): "\(o): \(why)"
        }
    }
}
