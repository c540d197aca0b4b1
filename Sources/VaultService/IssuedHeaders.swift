import VaultCore
import VaultCrypto

/// The answer to `POST /v1/headers`. The token of revealed headers stays in locked memory
/// until the transport writes it into the response buffer.
public struct IssuedHeaders: Sendable {
    public enum Mode: String, Sendable {
        case sealed, revealed
    }

    /// Headers holding no secret, in order.
    public let headers: [(name: String, value: String)]
    /// `X-Auth-Token`, for revealed headers only.
    public let token: SecureBytes?
    public let authID: AuthID
    public let version: Int64
    public let fingerprint: String
    public let mode: Mode
    /// Unix seconds; nil for revealed headers (a token does not expire).
    public let expiresAt: Int64?
    public let requestID: String
    public let grant: String
}
