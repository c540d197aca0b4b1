/// A JSON object request body read strictly: only the fields named are allowed, each of its
/// type; an empty body is an empty object. Strings come back as text, except those read with
/// `secret`, which stay in wipeable memory.
public struct JSONFields: Sendable {
    let value: JSONValue

    public init(json input: UnsafeRawBufferPointer, allowed: Set<String>) throws(RequestError) {
        if input.isEmpty {
            value = .object([])
            return
        }
        do { value = try JSONParser.parse(input) } catch { throw .badJSON(error.description) }
        guard case .object(let members) = value else { throw .badJSON("expected a JSON object") }
        for m in members where !allowed.contains(m.key) {
            throw .badField("unknown field \"\(Echo.short(m.key))\"")
        }
    }

    public func string(_ key: String) throws(RequestError) -> String? {
        switch value[key] {
        case .string(let s)?: return s.plainText
        case nil, .null?: return nil
        case let other?: throw .badField("\(key) must be a string, got \(other.typeName)")
        }
    }

    public func bool(_ key: String) throws(RequestError) -> Bool? {
        switch value[key] {
        case .bool(let b)?: return b
        case nil, .null?: return nil
        case let other?: throw .badField("\(key) must be true or false, got \(other.typeName)")
        }
    }

    /// A uid or gid: a whole number from 0 to 2^32 − 2.
    public func id(_ key: String) throws(RequestError) -> UInt32? {
        switch value[key] {
        case .number(let n)?:
            guard let v = StrictInteger.decimal(n), v >= 0, v < Int64(UInt32.max) else { throw .badField("\(key) must be a uid or gid") }
            return UInt32(v)
        case nil, .null?: return nil
        case let other?: throw .badField("\(key) must be a number, got \(other.typeName)")
        }
    }

    /// A secret string (a token, a password): the caller copies it into locked memory and wipes it.
    public func secret(_ key: String) throws(RequestError) -> SecretScratch {
        switch value[key] {
        case .string(let s)?: return s
        case nil, .null?: throw .badField("missing \(key)")
        case let other?: throw .badField("\(key) must be a string, got \(other.typeName)")
        }
    }

    /// Whether the body has `key` with a value other than null.
    public func has(_ key: String) -> Bool {
        switch value[key] {
        case nil, .null?: false
        default: true
        }
    }

    /// Wipes every string of the body (after the secrets were copied out).
    public func wipe() { Self.wipe(value) }

    static func wipe(_ v: JSONValue) {
        switch v {
        case .string(let s): s.wipe()
        case .object(let members): members.forEach { wipe($0.value) }
        case .array(let items): items.forEach(wipe)
        default: break
        }
    }
}
