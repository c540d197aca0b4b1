/// The body of `POST /v1/headers`: `{"method","url","credential"?,"body_sha256"?}`.
public struct HeadersRequest: Hashable, Sendable {
    public static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]

    public var method: String
    public var url: String
    public var credential: String?
    /// Lower-case hex SHA-256 of the body the caller will send.
    public var bodySHA256: String?

    public init(method: String, url: String, credential: String?, bodySHA256: String?) {
        self.method = method
        self.url = url
        self.credential = credential
        self.bodySHA256 = bodySHA256
    }

    /// Decodes and validates a request body; unknown fields are refused (a typo must not pass
    /// silently as "no credential").
    public init(json input: UnsafeRawBufferPointer) throws(RequestError) {
        let v: JSONValue
        do { v = try JSONParser.parse(input) } catch { throw .badJSON(error.description) }
        guard case .object(let members) = v else { throw .badJSON("expected a JSON object") }
        for m in members where !["method", "url", "credential", "body_sha256"].contains(m.key) {
            throw .badField("unknown field \"\(Echo.short(m.key))\"")
        }
        func string(_ key: String, required: Bool) throws(RequestError) -> String? {
            switch v[key] {
            case .string(let s)?: return s.plainText
            case nil, .null?: if required { throw .badField("missing \(key)") } else { return nil }
            case let other?: throw .badField("\(key) must be a string, got \(other.typeName)")
            }
        }
        let method = try string("method", required: true)!
        guard Self.methods.contains(method) else { throw .badField("method must be one of \(Self.methods.sorted())") }
        let url = try string("url", required: true)!
        let body = try string("body_sha256", required: false)
        if let body, body.utf8.count != 64 || Hex.decode(body) == nil || body.lowercased() != body {
            throw .badField("body_sha256 must be 64 lower-case hex digits")
        }
        self.init(method: method, url: url, credential: try string("credential", required: false), bodySHA256: body)
    }
}

/// A request body the API cannot use.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    case badJSON(String)
    case badField(String)

    public var description: String {
        switch self {
        case .badJSON(let why): "request body is not valid JSON: \(why)"
        case .badField(let why): why
        }
    }
}
