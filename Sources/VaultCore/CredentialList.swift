/// `GET /v1/admin/credentials` and `list --json`: `{"credentials": [...], "next": ...}`, one
/// page in listing order and the cursor to ask for the next (`after=next`), or null at the end.
public struct CredentialList: Codable, Sendable, Equatable {
    public var credentials: [CredentialView]
    public var next: String?

    public init(_ credentials: [CredentialView], next: String? = nil) {
        self.credentials = credentials
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case credentials, next }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(credentials, forKey: .credentials)
        try c.encode(next, forKey: .next)
    }
}
