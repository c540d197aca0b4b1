/// `GET /v1/admin/jwt` and `jwt status --json`: `{"sessions": [...]}`.
public struct JWTSessionList: Codable, Sendable, Equatable {
    public var sessions: [JWTSessionView]
    public init(_ sessions: [JWTSessionView]) { self.sessions = sessions }
}
