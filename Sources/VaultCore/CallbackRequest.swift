/// The body of `POST /v1/callbacks/verify`: `{credential, method, url, params?, headers}`.
public struct CallbackRequest: Sendable {
    public var credential: String
    /// `GET` or `POST` (the methods Vobiz calls back with).
    public var method: String
    public var url: String
    public var params: [String: CallbackSignature.Value]
    /// Header names lower-cased.
    public var headers: [String: String]

    public init(credential: String, method: String, url: String, params: [String: CallbackSignature.Value], headers: [String: String]) {
        self.credential = credential
        self.method = method
        self.url = url
        self.params = params
        self.headers = headers
    }

    public init(json input: UnsafeRawBufferPointer) throws(RequestError) {
        let v: JSONValue
        do { v = try JSONParser.parse(input) } catch { throw .badJSON(error.description) }
        guard case .object(let members) = v else { throw .badJSON("expected a JSON object") }
        for m in members where !Self.fields.contains(m.key) {
            throw .badField("unknown field \"\(Echo.short(m.key))\"")
        }
        guard case .string(let credential)? = v["credential"] else { throw .badField("credential (a string) is required") }
        guard case .string(let rawMethod)? = v["method"], case let method = rawMethod.plainText.uppercased(), method == "GET" || method == "POST" else {
            throw .badField("method must be GET or POST")
        }
        guard case .string(let url)? = v["url"], url.count > 0, url.count <= 8192, url.allBytes({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badField("url must be the callback URL as called (printable ASCII, at most 8 KiB)")
        }
        guard case .object(let hs)? = v["headers"] else { throw .badField("headers (an object of strings) is required") }
        var headers: [String: String] = [:]
        headers.reserveCapacity(hs.count)
        for h in hs {
            guard case .string(let value) = h.value else { throw .badField("header \(Echo.short(h.key)) must be a string") }
            headers[h.key.lowercased()] = value.plainText
        }
        var params: [String: CallbackSignature.Value] = [:]
        switch v["params"] {
        case nil, .null?: break
        case .object(let ps)?: params = try Self.values(ps, nested: method == "POST")
        case let other?: throw .badField("params must be an object, got \(other.typeName)")
        }
        self.init(credential: credential.plainText, method: method, url: url.plainText, params: params, headers: headers)
    }

    static let fields: Set<String> = ["credential", "method", "url", "params", "headers"]

    /// Parameter values as the SDK turns them into text (`str()` of numbers and booleans).
    static func values(_ members: [(key: String, value: JSONValue)], nested: Bool) throws(RequestError) -> [String: CallbackSignature.Value] {
        var out: [String: CallbackSignature.Value] = [:]
        for m in members {
            switch m.value {
            case .string(let s): out[m.key] = .string(s.plainText)
            case .number(let n): out[m.key] = .string(n)
            case .bool(let b): out[m.key] = .string(b ? "True" : "False")
            case .null: out[m.key] = .string("None")
            case .array(let items):
                var list: [String] = []
                for i in items {
                    guard case .string(let s) = i else { throw .badField("params.\(Echo.short(m.key)): a list holds strings only") }
                    list.append(s.plainText)
                }
                out[m.key] = .list(list)
            case .object(let inner):
                guard nested else { throw .badField("params.\(Echo.short(m.key)): nested objects are for POST parameters only") }
                out[m.key] = .object(try values(inner, nested: true))
            }
        }
        return out
    }
}
