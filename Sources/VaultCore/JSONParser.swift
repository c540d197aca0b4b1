/// A strict RFC 8259 parser over raw bytes: no comments, no trailing commas, no duplicate
/// keys, bounded nesting. Used for every JSON that may carry a secret.
public struct JSONParser {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case syntax(offset: Int, expected: String)
        case tooDeep(limit: Int)
        case duplicateKey(String)

        public var description: String {
            switch self {
            case .syntax(let o, let e): "invalid JSON at byte \(o): expected \(e)"
            case .tooDeep(let l): "invalid JSON: nested deeper than \(l) levels"
            case .duplicateKey(let k): "invalid JSON: key \"\(Echo.short(k))\" appears twice in one object"
            }
        }
    }

    public static let maxDepth = 32
    private let input: UnsafeRawBufferPointer
    private var pos = 0
    /// A member of the top-level object whose value's byte range is wanted, and that range.
    private var wanted: String?
    private var span: Range<Int>?

    private init(_ input: UnsafeRawBufferPointer) { self.input = input }

    /// Parses exactly one JSON value (surrounded by optional whitespace).
    public static func parse(_ input: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        try parse(input, spanOf: nil).value
    }

    /// Parses like `parse`, and also gives the byte range of the value of the top-level
    /// object's member `key` (nil when the document is not an object or has no such member),
    /// so that one value can be replaced without re-serialising the rest.
    public static func parse(_ input: UnsafeRawBufferPointer, spanOf key: String?) throws(Failure) -> (value: JSONValue, span: Range<Int>?) {
        var p = JSONParser(input)
        p.wanted = key
        p.skipWhitespace()
        if p.peek() == 0xEF, p.byte(at: p.pos + 1) == 0xBB, p.byte(at: p.pos + 2) == 0xBF { p.pos += 3 }
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.pos == input.count else { throw .syntax(offset: p.pos, expected: "end of input") }
        return (v, p.span)
    }

    private func byte(at i: Int) -> UInt8? { i < input.count ? input[i] : nil }
    private func peek() -> UInt8? { byte(at: pos) }

    private mutating func skipWhitespace() {
        while let b = peek(), b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 }
    }

    private mutating func expect(_ b: UInt8, _ what: String) throws(Failure) {
        guard peek() == b else { throw .syntax(offset: pos, expected: what) }
        pos += 1
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maxDepth else { throw .tooDeep(limit: Self.maxDepth) }
        switch peek() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case let b? where b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39): return .number(try number())
        default: throw .syntax(offset: pos, expected: "a value")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for b in word.utf8 { try expect(b, word) }
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        pos += 1
        var members: [(key: String, value: JSONValue)] = []
        // Request objects have a handful of members: a linear scan finds duplicates faster
        // than hashing; larger objects switch to a set.
        var seen: Set<String>?
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw .syntax(offset: pos, expected: "a key string") }
            let key = try self.key()
            if members.count == Self.linearDuplicateScan {
                seen = Set(members.map(\.key))
            }
            if seen != nil {
                guard seen!.insert(key).inserted else { throw .duplicateKey(key) }
            } else if members.contains(where: { $0.key == key }) {
                throw .duplicateKey(key)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            let start = pos
            members.append((key, try value(depth: depth + 1)))
            if depth == 0, key == wanted { span = start..<pos }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(items)
        }
    }

    private mutating func number() throws(Failure) -> String {
        let start = pos
        if peek() == UInt8(ascii: "-") { pos += 1 }
        guard let first = peek(), first >= 0x30, first <= 0x39 else { throw .syntax(offset: pos, expected: "a digit") }
        pos += 1
        if first != 0x30 { digits() }
        if peek() == UInt8(ascii: ".") {
            pos += 1
            guard let d = peek(), d >= 0x30, d <= 0x39 else { throw .syntax(offset: pos, expected: "a digit") }
            digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            pos += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { pos += 1 }
            guard let d = peek(), d >= 0x30, d <= 0x39 else { throw .syntax(offset: pos, expected: "a digit") }
            digits()
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<pos]), as: UTF8.self)
    }

    private mutating func digits() {
        while let d = peek(), d >= 0x30, d <= 0x39 { pos += 1 }
    }

    /// Objects with this many members or more check duplicate keys with a set.
    static let linearDuplicateScan = 16

    /// An object key: keys are never secret, so one without escapes is made into a `String`
    /// straight from the input.
    private mutating func key() throws(Failure) -> String {
        var end = pos + 1
        while end < input.count, input[end] != 0x22, input[end] != 0x5C, input[end] >= 0x20 { end += 1 }
        if end < input.count, input[end] == 0x22 {
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: input[(pos + 1)..<end]), as: UTF8.self)
            pos = end + 1
            return key
        }
        return try string().plainText
    }

    private mutating func string() throws(Failure) -> SecretScratch {
        pos += 1
        let out = SecretScratch()
        while true {
            // A run of plain bytes is copied at once: fewer reallocations, so fewer unwiped
            // copies of a growing secret left behind in freed memory.
            var end = pos
            while end < input.count, input[end] != 0x22, input[end] != 0x5C, input[end] >= 0x20 { end += 1 }
            if end > pos {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[pos..<end]))
                pos = end
            }
            guard let b = peek() else { throw .syntax(offset: pos, expected: "closing '\"'") }
            pos += 1
            switch b {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                try escape(into: out)
            case 0x00..<0x20:
                throw .syntax(offset: pos - 1, expected: "no control characters inside a string")
            default:
                out.append(b)
            }
        }
    }

    private mutating func escape(into out: SecretScratch) throws(Failure) {
        guard let e = peek() else { throw .syntax(offset: pos, expected: "an escape") }
        pos += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): try unicodeEscape(into: out)
        default: throw .syntax(offset: pos - 1, expected: "a valid escape")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let h = peek(), let d = Self.hexValue(h) else { throw .syntax(offset: pos, expected: "4 hex digits") }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    private mutating func unicodeEscape(into out: SecretScratch) throws(Failure) {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard peek() == UInt8(ascii: "\\"), byte(at: pos + 1) == UInt8(ascii: "u") else {
                throw .syntax(offset: pos, expected: "a low surrogate")
            }
            pos += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw .syntax(offset: pos, expected: "a low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw .syntax(offset: pos, expected: "no lone low surrogate")
        }
        guard let u = Unicode.Scalar(scalar) else { throw .syntax(offset: pos, expected: "a valid code point") }
        out.append(contentsOf: UTF8.encode(u)!)
    }

    static func hexValue(_ h: UInt8) -> UInt32? {
        switch h {
        case 0x30...0x39: UInt32(h - 0x30)
        case 0x41...0x46: UInt32(h - 0x41 + 10)
        case 0x61...0x66: UInt32(h - 0x61 + 10)
        default: nil
        }
    }
}
