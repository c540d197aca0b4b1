/// The outcome of `policy check` as `POST /v1/admin/policy/check` answers it: whether the
/// request would be allowed, and the lines `policy check` prints (the grant that allows it, or
/// every grant's reasons).
public struct PolicyCheckView: Codable, Sendable, Equatable {
    public var allowed: Bool
    public var lines: [String]

    public init(allowed: Bool, lines: [String]) {
        self.allowed = allowed
        self.lines = lines
    }
}
