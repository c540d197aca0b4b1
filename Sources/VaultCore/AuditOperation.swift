/// The operation an audit row of a socket request names: the grant operation it asked for, or,
/// for a refusal decided before any grant was consulted, the route or socket it came to.
public enum AuditOperation: String, Sendable, Hashable {
    case headers
    case proxy
    case jwt
    case verifyCallback = "verify_callback"
    case keys
    case health
    /// Opening, attaching or closing an `exec --proxy` session (`/v1/exec…`).
    case exec
    /// Anything on the admin socket.
    case admin
    /// A path the client socket does not serve.
    case other

    public init(_ operation: GrantOperation) {
        switch operation {
        case .headers: self = .headers
        case .proxy: self = .proxy
        case .jwt: self = .jwt
        case .verifyCallback: self = .verifyCallback
        }
    }

    /// The operation of the client-socket (or TCP listener) route at `path`.
    public static func clientRoute(_ path: some StringProtocol) -> AuditOperation {
        switch path {
        case "/v1/headers": .headers
        case "/v1/jwt": .jwt
        case "/v1/callbacks/verify": .verifyCallback
        case "/v1/keys": .keys
        case "/v1/health": .health
        case "/v1/exec": .exec
        default: path.hasPrefix(ProxyRules.prefix + "/") ? .proxy : path.hasPrefix("/v1/exec/") ? .exec : .other
        }
    }
}
