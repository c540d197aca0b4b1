/// `GET /v1/admin/due` and `due --json`: `{"due": [...], "next": ...}`, most urgent first, and
/// the cursor to ask for the next page (`after=next`), or null at the end.
public struct DueList: Codable, Sendable, Equatable {
    public var due: [DueView]
    public var next: String?

    public init(_ due: [DueView], next: String? = nil) {
        self.due = due
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case due, next }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(due, forKey: .due)
        try c.encode(next, forKey: .next)
    }
}
