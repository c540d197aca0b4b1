/// A grant that cannot be used as written.
public enum PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): "invalid grant: \(why)"
        }
    }
}
