/// The bodies of the `exec --proxy` session endpoints on the client socket (Docs/api.md):
/// `POST /v1/exec` `{"credential"}` and `POST /v1/exec/{session}/child` `{"pid"}`.
public enum ExecRequest {
    /// `{"credential": "partner" | "MA_…"}`.
    public static func credential(json input: UnsafeRawBufferPointer) throws(RequestError) -> String {
        let v = try object(input, allowed: ["credential"])
        guard case .string(let s)? = v["credential"] else { throw .badField("credential (\"partner\" or an auth id) is required") }
        return s.plainText
    }

    /// `{"pid": N}`: the program the caller started.
    public static func pid(json input: UnsafeRawBufferPointer) throws(RequestError) -> Int32 {
        let v = try object(input, allowed: ["pid"])
        guard case .number(let text)? = v["pid"], let pid = StrictInteger.decimal(text, maxDigits: 10).flatMap({ Int32(exactly: $0) }), pid > 0 else {
            throw .badField("pid must be a positive process id")
        }
        return pid
    }

    static func object(_ input: UnsafeRawBufferPointer, allowed: Set<String>) throws(RequestError) -> JSONValue {
        let v: JSONValue
        do { v = try JSONParser.parse(input) } catch { throw .badJSON(error.description) }
        guard case .object(let members) = v else { throw .badJSON("expected a JSON object") }
        for m in members where !allowed.contains(m.key) { throw .badField("unknown field \"\(Echo.short(m.key))\"") }
        return v
    }
}
