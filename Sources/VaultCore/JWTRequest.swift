/// The body of `POST /v1/jwt`: `{"credential"?}`, or no body at all (the partner).
public enum JWTRequest {
    public static func credential(json input: UnsafeRawBufferPointer) throws(RequestError) -> String? {
        if input.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let v: JSONValue
        do { v = try JSONParser.parse(input) } catch { throw .badJSON(error.description) }
        guard case .object(let members) = v else { throw .badJSON("expected a JSON object") }
        for m in members where m.key != "credential" { throw .badField("unknown field \"\(Echo.short(m.key))\"") }
        switch v["credential"] {
        case nil, .null?: return nil
        case .string(let s)?: return s.plainText
        case let other?: throw .badField("credential must be a string, got \(other.typeName)")
        }
    }
}
