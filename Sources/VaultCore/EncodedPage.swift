/// A page of a listing (`credentials`, `due`, `events`) as JSON text: each row encoded as
/// `AdminJSON` encodes it compactly, and the cursor of the next page. What `--json` writes, so
/// rows the daemon encoded are written as they came, not decoded and encoded again.
public struct EncodedPage: Sendable, Equatable {
    public var rows: [String]
    /// The `next` member as text (an auth id, a due cursor, a row number); nil after the last page.
    public var next: String?

    public init(rows: [String], next: String?) {
        self.rows = rows
        self.next = next
    }

    /// Splits the admin API's compact answer `{"<key>":[row,…],"next":…}` (keys sorted, so the
    /// array comes first); nil when the answer is not that shape.
    public init?(answer: [UInt8], key: String) {
        let head = Array("{\"\(key)\":[".utf8)
        guard answer.count > head.count, Array(answer[..<head.count]) == head else { return nil }
        var rows: [String] = []
        var i = head.count, start = i, depth = 0, inString = false
        scan: while i < answer.count {
            let b = answer[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 1 } else if b == UInt8(ascii: "\"") { inString = false }
            } else {
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"):
                    guard depth > 0 else { return nil }
                    depth -= 1
                case UInt8(ascii: "]") where depth > 0: depth -= 1
                case UInt8(ascii: "]"):
                    if i > start { rows.append(String(decoding: answer[start..<i], as: UTF8.self)) }
                    i += 1
                    break scan
                case UInt8(ascii: ",") where depth == 0:
                    guard i > start else { return nil }
                    rows.append(String(decoding: answer[start..<i], as: UTF8.self))
                    start = i + 1
                default: break
                }
            }
            i += 1
        }
        guard let next = Self.next(answer[i...]) else { return nil }
        self.init(rows: rows, next: next.value)
    }

    /// `,"next":null}`, `,"next":"cursor"}` or `,"next":123}`, then an optional newline.
    private static func next(_ tail: ArraySlice<UInt8>) -> (value: String?, Void)? {
        var text = String(decoding: tail, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        guard text.hasPrefix(",\"next\":"), text.hasSuffix("}") else { return nil }
        let value = text.dropFirst(",\"next\":".count).dropLast()
        if value == "null" { return (nil, ()) }
        if value.count >= 2, value.first == "\"", value.last == "\"" {
            let inner = value.dropFirst().dropLast()
            guard !inner.isEmpty, !inner.contains("\\"), !inner.contains("\"") else { return nil }
            return (String(inner), ())
        }
        guard !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) else { return nil }
        return (String(value), ())
    }
}
