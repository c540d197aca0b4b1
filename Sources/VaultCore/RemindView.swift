/// What needs an operator, as `GET /v1/admin/remind` answers it and `remind --json` prints it:
/// the findings, and the exit code `remind` gives for them (0 nothing, 1 due soon, 2 overdue,
/// revoked, compromised, or a failing JWT login).
public struct RemindView: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var severity: String
        public var kind: String
        public var authID: String
        public var label: String
        public var message: String
        /// The finding as one line of `remind`'s text output.
        public var line: String

        enum CodingKeys: String, CodingKey { case severity, kind, authID = "auth_id", label, message, line }
    }

    public var findings: [Item]
    public var exitCode: Int32

    enum CodingKeys: String, CodingKey { case findings, exitCode = "exit_code" }

    public init(_ findings: [Finding]) {
        self.findings = findings.map {
            Item(severity: $0.severity.rawValue, kind: $0.kind.rawValue, authID: $0.authID, label: $0.label, message: $0.message, line: $0.line)
        }
        exitCode = Finding.exitCode(for: findings)
    }
}
