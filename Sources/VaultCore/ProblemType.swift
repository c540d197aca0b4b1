/// The stable `type` suffixes of problem+json errors (Docs/api.md) and their HTTP statuses.
public enum ProblemType: String, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case notGranted = "not_granted"
    case scopeMismatch = "scope_mismatch"
    case unknownCredential = "unknown_credential"
    case credentialRevoked = "credential_revoked"
    case sealed
    case rateLimited = "rate_limited"
    case replayed
    case signatureInvalid = "signature_invalid"
    case upstreamUnavailable = "upstream_unavailable"
    /// The upstream took longer than `[upstream] timeout` to answer a proxied call.
    case upstreamTimeout = "upstream_timeout"
    case payloadTooLarge = "payload_too_large"
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    /// The change contradicts what the vault holds (the same token again, a second partner,
    /// nothing to roll back to).
    case conflict
    /// `rotate` with `verify`: Vobiz refused the new token or gave no usable answer.
    case verifyFailed = "verify_failed"
    /// The shared store (PostgreSQL) cannot be reached; the answer carries `Retry-After`.
    case storeUnavailable = "store_unavailable"
    /// `reload`: the configuration file does not load; the policy in force is unchanged.
    case configInvalid = "config_invalid"
    case `internal`

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .notGranted: 403
        case .scopeMismatch: 403
        case .unknownCredential: 404
        case .credentialRevoked: 403
        case .sealed: 503
        case .rateLimited: 429
        case .replayed: 409
        case .signatureInvalid: 401
        case .upstreamUnavailable: 502
        case .upstreamTimeout: 504
        case .payloadTooLarge: 413
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .verifyFailed: 422
        case .storeUnavailable: 503
        case .configInvalid: 422
        case .internal: 500
        }
    }

    public var title: String {
        switch self {
        case .badRequest: "Bad request"
        case .notGranted: "Not granted"
        case .scopeMismatch: "Credential does not match the URL's scope"
        case .unknownCredential: "Unknown credential"
        case .credentialRevoked: "Credential revoked"
        case .sealed: "Vault is sealed"
        case .rateLimited: "Rate limited"
        case .replayed: "Replayed"
        case .signatureInvalid: "Invalid signature"
        case .upstreamUnavailable: "Upstream unavailable"
        case .upstreamTimeout: "Upstream timed out"
        case .payloadTooLarge: "Payload too large"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .conflict: "Conflicts with the vault's state"
        case .verifyFailed: "New token not verified"
        case .storeUnavailable: "Store unavailable"
        case .configInvalid: "Configuration not valid"
        case .internal: "Internal error"
        }
    }

    /// `urn:vobiz-vault:problem:<suffix>`.
    public var uri: String { "urn:vobiz-vault:problem:" + rawValue }
}
