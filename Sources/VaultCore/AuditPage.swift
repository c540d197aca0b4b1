/// `GET /v1/admin/audit` and `audit tail --json`: rows oldest first, and the cursor to ask
/// for the rows after them (`after=next`), or null when these are the newest.
public struct AuditPage: Codable, Sendable, Equatable {
    public var events: [AuditEventView]
    public var next: Int64?

    public init(events: [AuditEventView], next: Int64?) {
        self.events = events
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case events, next }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(events, forKey: .events)
        try c.encode(next, forKey: .next)
    }
}
