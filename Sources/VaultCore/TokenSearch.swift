/// Finds copies of a token in an answer the vault is about to release. Works on the token's
/// bytes in place, so no copy of it is made beyond what the answer already holds.
enum TokenSearch {
    /// The offset of the first copy of `needle` in `hay` at or after `from`.
    static func find(_ needle: UnsafeRawBufferPointer, _ hay: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == first, zip(hay[i..<(i + needle.count)], needle).allSatisfy({ $0 == $1 }) { return i }
            i += 1
        }
        return nil
    }

    static func contains(_ needle: UnsafeRawBufferPointer, _ hay: [UInt8]) -> Bool {
        hay.withUnsafeBytes { find(needle, $0) != nil }
    }

    /// `hay` with every copy of `needle` replaced by `mark`.
    static func replacing(_ needle: UnsafeRawBufferPointer, with mark: [UInt8], in hay: [UInt8]) -> [UInt8] {
        hay.withUnsafeBytes { h in
            var out: [UInt8] = [], i = 0
            while let at = find(needle, h, from: i) {
                out += hay[i..<at] + mark
                i = at + needle.count
            }
            return out + hay[i...]
        }
    }

    /// Whether `body` may still hold the token: literally, or in any string, key or number of
    /// the JSON document once decoded (a token spelt with `\u` escapes), or because the body
    /// is not JSON and so cannot be vouched for.
    static func mayHold(_ token: UnsafeRawBufferPointer, _ body: [UInt8]) -> Bool {
        if contains(token, body) { return true }
        guard let doc = try? body.withUnsafeBytes({ try JSONParser.parse($0) }) else { return true }
        return holds(token, doc)
    }

    private static func holds(_ token: UnsafeRawBufferPointer, _ v: JSONValue) -> Bool {
        switch v {
        case .object(let members): members.contains { contains(token, Array($0.key.utf8)) || holds(token, $0.value) }
        case .array(let items): items.contains { holds(token, $0) }
        case .string(let s): s.withUnsafeBytes { find(token, $0) != nil }
        case .number(let n): contains(token, Array(n.utf8))
        case .bool, .null: false
        }
    }

    /// The token percent-encoded as in a URL (RFC 3986 unreserved bytes kept); nil when that
    /// spelling is the token itself.
    static func percentEncoded(_ token: UnsafeRawBufferPointer) -> SecretScratch? {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in token {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || [0x2D, 0x2E, 0x5F, 0x7E].contains(b)
            out += unreserved ? [b] : [0x25, hex[Int(b >> 4)], hex[Int(b & 15)]]
        }
        return out.count == token.count ? nil : SecretScratch(out)
    }
}
