import NIOCore
import VaultCore

/// Limits of Docs/api.md, all configurable; past one the connection gets the matching error.
public struct HTTPLimits: Sendable {
    public var maxBody = 64 * 1024
    public var maxHead = 16 * 1024
    public var readTimeout = TimeAmount.seconds(10)
    public var idleTimeout = TimeAmount.seconds(30)
    public var maxConnections = 1024
    /// Connections and requests being answered per uid (`[limits] max_connections_per_uid`,
    /// `max_in_flight_per_uid`).
    public var maxConnectionsPerUID = 256
    public var maxInFlightPerUID = 64
    /// Request bodies carried by the proxy (`[upstream] max_request_body`).
    public var maxProxyBody = 1 << 20
    /// Answer bodies carried back by the proxy (`[upstream] max_body`).
    public var maxProxyAnswer = 10 << 20

    public init() {}

    public init(_ c: VaultConfig.Limits, upstream: VaultConfig.Upstream = VaultConfig().upstream) {
        maxProxyBody = upstream.maxRequestBody
        maxProxyAnswer = upstream.maxBody
        maxBody = c.maxBody
        maxHead = c.maxHeaders
        readTimeout = .seconds(c.readTimeout.seconds)
        idleTimeout = .seconds(c.idleTimeout.seconds)
        maxConnections = c.maxConnections
        maxConnectionsPerUID = c.maxConnectionsPerUID
        maxInFlightPerUID = c.maxInFlightPerUID
    }

    /// The body limit of one request: the proxy carries API payloads, the RPC routes small JSON.
    func maxBody(forURI uri: String) -> Int {
        uri.hasPrefix(ProxyRules.prefix + "/") ? max(maxBody, maxProxyBody) : maxBody
    }
}
