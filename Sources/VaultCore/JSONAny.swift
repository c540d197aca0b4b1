/// Any JSON value, for fields whose shape is open (an audit row's `detail`). Numbers keep
/// integers as integers.
public indirect enum JSONAny: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONAny])
    case object([String: JSONAny])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null
        } else if let b = try? c.decode(Bool.self) { self = .bool(b)
        } else if let i = try? c.decode(Int64.self) { self = .int(i)
        } else if let d = try? c.decode(Double.self) { self = .double(d)
        } else if let s = try? c.decode(String.self) { self = .string(s)
        } else if let a = try? c.decode([JSONAny].self) { self = .array(a)
        } else { self = .object(try c.decode([String: JSONAny].self)) }
    }

    /// `text` read by `JSONParser`, nil when it is not JSON: an audit page reads every row's
    /// detail, and the decoder's trial of one type after another (an error thrown for each
    /// miss) cost more than the rest of the row.
    public init?(parsing text: String) {
        guard let value = try? Array(text.utf8).withUnsafeBytes({ (b) throws(JSONParser.Failure) in try JSONParser.parse(b) }) else {
            return nil
        }
        self.init(value)
    }

    init(_ v: JSONValue) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s.plainText)
        case .number(let n): self = Self.number(n)
        case .array(let a): self = .array(a.map(JSONAny.init))
        case .object(let members):
            self = .object(Dictionary(members.map { ($0.key, JSONAny($0.value)) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// As the decoder reads a number: an integer when it is one (`1e3`, `5.0` too), else a double.
    static func number(_ text: String) -> JSONAny {
        if let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { return .null }
        if d.rounded() == d, let i = Int64(exactly: d) { return .int(i) }
        return .double(d)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
