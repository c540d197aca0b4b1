/// `GET /v1/admin/due` and `due --json`: `{"due": [...]}`.
public struct DueList: Codable, Sendable, Equatable {
    public var due: [DueView]
    public init(_ due: [DueView]) { self.due = due }
}
