/// A JSON document parsed from raw bytes. Strings are `SecretScratch` so a token inside the
/// document never becomes a Swift `String` that cannot be wiped.
public indirect enum JSONValue: Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(SecretScratch)
    case number(String)
    case bool(Bool)
    case null

    /// The member named `key` of an object (the first, if repeated — repeats are refused by the parser).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}
