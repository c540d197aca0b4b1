/// One thing an operator must act on, as `remind` reports it.
/// The rendered line (`SEVERITY auth_id label: message`) is a stable, scriptable format.
public struct Finding: Hashable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning = "WARNING"
        case critical = "CRITICAL"

        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .critical }
    }

    /// Stable machine-readable kind of finding.
    public enum Kind: String, Sendable, Codable {
        case rotationDue = "rotation_due"
        case rotationOverdue = "rotation_overdue"
        case revokedNotRotated = "revoked_not_rotated"
        case compromisedNotRotated = "compromised_not_rotated"
        case noActiveToken = "no_active_token"
        case upstreamRejected = "upstream_rejected"
        case jwtLoginFailing = "jwt_login_failing"
        case jwtLifetimeShort = "jwt_lifetime_short"
        case masterKeyDue = "master_key_due"
        case masterKeyOverdue = "master_key_overdue"
        case auditBroken = "audit_broken"
    }

    public let severity: Severity
    public let kind: Kind
    public let authID: String
    public let label: String
    public let message: String

    public init(severity: Severity, kind: Kind, authID: String, label: String, message: String) {
        self.severity = severity
        self.kind = kind
        self.authID = authID
        self.label = label
        self.message = message
    }

    /// `SEVERITY auth_id label: message`; an empty label is written `-`.
    public var line: String {
        let l = label.isEmpty ? "-" : label
        return "\(severity.rawValue) \(authID) \(l): \(message)"
    }

    /// The `remind` exit code for a set of findings: 0 none, 1 only warnings, 2 any critical.
    public static func exitCode(for findings: [Finding]) -> Int32 {
        if findings.contains(where: { $0.severity == .critical }) { return 2 }
        return findings.isEmpty ? 0 : 1
    }

    enum CodingKeys: String, CodingKey {
        case severity, kind, label, message
        case authID = "auth_id"
    }
}
