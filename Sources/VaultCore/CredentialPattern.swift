/// Which credentials a grant covers: `partner`, one `MA_…`, or `MA_*` (every customer).
public enum CredentialPattern: Hashable, Sendable, CustomStringConvertible {
    case partner
    case customer(AuthID)
    case anyCustomer

    public init(_ text: String) throws(PolicyError) {
        switch text {
        case "partner": self = .partner
        case "MA_*": self = .anyCustomer
        default:
            guard let id = try? AuthID(text), id.kind == .customer else {
                throw .invalid("credential \(Echo.short(text)) must be \"partner\", \"MA_*\" or a customer auth id")
            }
            self = .customer(id)
        }
    }

    public func matches(_ id: AuthID) -> Bool {
        switch self {
        case .partner: id.kind == .partner
        case .customer(let c): c == id
        case .anyCustomer: id.kind == .customer
        }
    }

    public var description: String {
        switch self {
        case .partner: "partner"
        case .customer(let id): id.rawValue
        case .anyCustomer: "MA_*"
        }
    }
}
