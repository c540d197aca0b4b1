import VaultCore

/// The answer of `POST /v1/callbacks/verify`.
public struct CallbackVerdict: Sendable, Equatable {
    public var valid: Bool
    public var scheme: CallbackSignature.Scheme?
    /// `account` (the plain header, the credential's token) or `parent` (the `-MA-` header,
    /// the parent account's token).
    public var signedBy: String?
    public var tokenVersion: Int64?
    /// Why an invalid verdict is invalid.
    public var reason: String?
}
