/// A configuration file that cannot be used. The old configuration (if any) stays in force.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, column: Int, message: String)
    case unknownKey(path: String, key: String)
    case wrongType(path: String, key: String, expected: String)
    case invalidValue(path: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "cannot read config \(p): \(r)"
        case .syntax(let p, let l, let c, let m): "\(p):\(l):\(c): \(m)"
        case .unknownKey(let p, let k): "\(p): unknown key \"\(k)\" (check the spelling against Docs/configuration.md)"
        case .wrongType(let p, let k, let e): "\(p): \(k) must be \(e)"
        case .invalidValue(let p, let k, let r): "\(p): \(k): \(r)"
        }
    }
}
