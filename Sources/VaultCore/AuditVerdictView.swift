/// The outcome of checking the audit chain, as `GET /v1/admin/audit/verify` answers it and
/// `audit verify --json` prints it: `seq`, `problem` and `message` only when it is broken.
public struct AuditVerdictView: Codable, Sendable, Equatable {
    public var intact: Bool
    public var rows: Int?
    public var seq: Int64?
    public var problem: String?
    public var message: String?

    public init(_ verdict: AuditChain.Verdict) {
        switch verdict {
        case .intact(let rows):
            intact = true
            self.rows = rows
        case .broken(let seq, let problem):
            intact = false
            self.seq = seq
            self.problem = problem.rawValue
            message = "audit chain broken at row \(seq): \(problem.explanation)"
        }
    }
}
