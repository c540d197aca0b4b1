/// `GET /v1/admin/credentials` and `list --json`: `{"credentials": [...]}`.
public struct CredentialList: Codable, Sendable, Equatable {
    public var credentials: [CredentialView]
    public init(_ credentials: [CredentialView]) { self.credentials = credentials }
}
