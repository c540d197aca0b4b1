/// The typed admin API's routes (Docs/api.md), parsed from a method and a path. The path's
/// credential segment is an auth id or `partner`; anything else under the prefix is not a
/// typed route.
public enum AdminRoute: Sendable, Equatable {
    case status
    case credentials
    case credential(String)
    case due
    case audit
    case auditVerify
    case remind
    case unseal
    case policyCheck
    case importCredentials
    case rotate(String)
    case rollback(String)
    case revoke(String)
    case edit(String)
    case capture
    case jwtSessions
    case jwtLogin(String)
    case jwtForget(String)
    case setLoginCredentials(String)
    case forgetLoginCredentials(String)
    case rekey
    case backup
    case fleet
    case fleetAdmit(String)
    case fleetRemove(String)
    case reload

    public init?(method: String, path: some StringProtocol) {
        guard path.hasPrefix("/v1/admin/") else { return nil }
        let parts = String(path).dropFirst("/v1/admin/".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (method, parts.count) {
        case ("GET", 1) where parts[0] == "status": self = .status
        case ("GET", 1) where parts[0] == "credentials": self = .credentials
        case ("GET", 1) where parts[0] == "due": self = .due
        case ("GET", 1) where parts[0] == "audit": self = .audit
        case ("GET", 1) where parts[0] == "remind": self = .remind
        case ("GET", 2) where parts[0] == "audit" && parts[1] == "verify": self = .auditVerify
        case ("POST", 1) where parts[0] == "import": self = .importCredentials
        case ("POST", 1) where parts[0] == "capture": self = .capture
        case ("POST", 1) where parts[0] == "unseal": self = .unseal
        case ("POST", 1) where parts[0] == "rekey": self = .rekey
        case ("POST", 1) where parts[0] == "backup": self = .backup
        case ("POST", 1) where parts[0] == "reload": self = .reload
        case ("POST", 2) where parts[0] == "policy" && parts[1] == "check": self = .policyCheck
        case ("GET", 1) where parts[0] == "fleet": self = .fleet
        case ("POST", 3) where parts[0] == "fleet" && !parts[1].isEmpty && parts[2] == "admit": self = .fleetAdmit(parts[1])
        case ("POST", 3) where parts[0] == "fleet" && !parts[1].isEmpty && parts[2] == "remove": self = .fleetRemove(parts[1])
        case ("GET", 1) where parts[0] == "jwt": self = .jwtSessions
        case ("POST", 3) where parts[0] == "jwt" && !parts[1].isEmpty && parts[2] == "login": self = .jwtLogin(parts[1])
        case ("POST", 3) where parts[0] == "jwt" && !parts[1].isEmpty && parts[2] == "forget": self = .jwtForget(parts[1])
        case ("POST", 2) where parts[0] == "login-credentials" && !parts[1].isEmpty: self = .setLoginCredentials(parts[1])
        case ("POST", 3) where parts[0] == "login-credentials" && !parts[1].isEmpty && parts[2] == "forget":
            self = .forgetLoginCredentials(parts[1])
        case ("GET", 2) where parts[0] == "credentials" && !parts[1].isEmpty: self = .credential(parts[1])
        case ("POST", 3) where parts[0] == "credentials" && !parts[1].isEmpty:
            switch parts[2] {
            case "rotate": self = .rotate(parts[1])
            case "rollback": self = .rollback(parts[1])
            case "revoke": self = .revoke(parts[1])
            case "edit": self = .edit(parts[1])
            default: return nil
            }
        default: return nil
        }
    }

    /// The query parameters the route takes; any other is refused.
    public var queryFields: Set<String> {
        switch self {
        case .credentials: ["after", "limit"]
        case .due: ["within", "after", "limit"]
        case .audit: ["after", "limit", "macs"]
        case .importCredentials: ["format"]
        default: []
        }
    }
}
