/// Rule violations found by VaultCore. Messages name the offending field, never a secret value.
public enum CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidAuthID(String)
    case invalidTimeSpan(String)
    case invalidToken(String)
    case invalidLabel(String)
    case invalidReason(String)
    case kindMismatch(authID: String, declared: String)
    case invalidSlotFingerprint(String)
    case invalidHostName(String)

    public var description: String {
        switch self {
        case .invalidAuthID(let s): "invalid auth_id \"\(s)\": expected PA_… (partner) or MA_… (customer) followed by letters, digits, '_' or '-'"
        case .invalidTimeSpan(let s): "invalid duration \"\(s)\": expected a whole number with a unit s, m, h, d or w (e.g. 90d, 12h)"
        case .invalidToken(let why): "invalid auth_token: \(why)"
        case .invalidLabel(let why): "invalid label: \(why)"
        case .invalidReason(let why): "invalid reason: \(why)"
        case .invalidHostName(let s): "invalid fleet host name \"\(s)\": use 1 to 64 letters, digits, '.', '-' or '_'"
        case .kindMismatch(let id, let k): "\(id) is declared kind \"\(k)\" but its prefix says otherwise (PA_ is partner, MA_ is customer)"
        case .invalidSlotFingerprint(let why):
            "invalid key slot fingerprint: \(why); type the 32 hex digits the joining host printed (e.g. AB12-CD34-…), dashes and spaces optional"
        }
    }
}
