/// Checks a configuration's text before TOMLKit parses it. The C++ parser underneath (toml++)
/// aborts the whole process on some malformed input — a non-ASCII character in a key, `[[[grant]]`,
/// both found by fuzzing — and a typo in the file must never take the daemon down on SIGHUP. So
/// the text must first be the plain TOML the vault's configuration uses: at the start of each
/// statement a `[table]`, `[[array of tables]]` or `key = value` with ASCII bare or dotted keys;
/// values (strings, numbers, booleans, arrays, inline tables) are then left to the parser, with
/// strings and comments skipped and no non-ASCII or control character anywhere else.
enum TOMLPrecheck {
    /// Nil when the text may go to the parser; otherwise the line, column and reason.
    static func problem(in text: String) -> (line: Int, column: Int, reason: String)? {
        var s = Scanner(Array(text.utf8))
        return s.run()
    }

    struct Scanner {
        let b: [UInt8]
        var i = 0, line = 1, lineStart = 0
        /// Open `[` and `{` of values (arrays may span lines).
        var depth = 0

        init(_ b: [UInt8]) { self.b = b }

        func at(_ j: Int) -> UInt8? { j < b.count ? b[j] : nil }
        func starts(_ s: String, _ j: Int) -> Bool { Array(s.utf8).enumerated().allSatisfy { at(j + $0.offset) == $0.element } }
        func fail(_ why: String) -> (Int, Int, String) { (line, i - lineStart + 1, why) }
        static func isBare(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }

        /// Spaces and tabs, and a carriage return only as the start of CRLF.
        mutating func skipBlanks() {
            while let c = at(i), c == 0x20 || c == 0x09 || (c == 0x0D && at(i + 1) == 0x0A) { i += 1 }
        }

        mutating func newline() {
            line += 1
            i += 1
            lineStart = i
        }

        mutating func run() -> (Int, Int, String)? {
            while i < b.count {
                skipBlanks()
                guard let c = at(i) else { break }
                if c == 0x0A { newline(); continue }
                if c == UInt8(ascii: "#") { skipComment(); continue }
                if depth == 0 {
                    if let p = statement() { return p }
                } else if let p = valueToken() { return p }
            }
            return depth == 0 ? nil : fail("an array or inline table is not closed")
        }

        mutating func skipComment() { while let c = at(i), c != 0x0A { i += 1 } }

        /// `[a.b]`, `[[a]]`, or `key = ` followed by a value.
        mutating func statement() -> (Int, Int, String)? {
            if at(i) == UInt8(ascii: "[") {
                let double = at(i + 1) == UInt8(ascii: "[")
                i += double ? 2 : 1
                skipBlanks()
                if let p = key() { return p }
                skipBlanks()
                guard at(i) == UInt8(ascii: "]"), !double || at(i + 1) == UInt8(ascii: "]") else { return fail("a table header is not closed") }
                i += double ? 2 : 1
                return endOfLine()
            }
            if let p = key() { return p }
            skipBlanks()
            guard at(i) == UInt8(ascii: "=") else { return fail("expected '=' after the key") }
            i += 1
            skipBlanks()
            guard let c = at(i), c != 0x0A, c != UInt8(ascii: "#") else { return fail("a key without a value") }
            if let p = valueToken() { return p }
            // The rest of a one-line value, or the opening of a multi-line one.
            while depth == 0, let c = at(i), c != 0x0A, c != UInt8(ascii: "#") {
                if let p = valueToken() { return p }
            }
            return nil
        }

        /// A bare or quoted key, dotted parts allowed.
        mutating func key() -> (Int, Int, String)? {
            while true {
                if at(i) == UInt8(ascii: "\"") || at(i) == UInt8(ascii: "'") {
                    if let p = string() { return p }
                } else {
                    let start = i
                    while let c = at(i), Self.isBare(c) { i += 1 }
                    guard i > start else { return fail("expected a key (letters, digits, '_' or '-')") }
                }
                skipBlanks()
                guard at(i) == UInt8(ascii: ".") else { return nil }
                i += 1
                skipBlanks()
            }
        }

        /// After a table header: only blanks and a comment.
        mutating func endOfLine() -> (Int, Int, String)? {
            skipBlanks()
            guard let c = at(i), c != 0x0A else { return nil }
            return c == UInt8(ascii: "#") ? nil : fail("text after a table header")
        }

        /// One token of a value: a string, a bracket, or plain ASCII.
        mutating func valueToken() -> (Int, Int, String)? {
            guard let c = at(i) else { return nil }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): return string()
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard depth > 0 else { return fail("an unmatched '\(Character(UnicodeScalar(c)))'") }
                depth -= 1
                i += 1
            case 0x0A: newline()
            case UInt8(ascii: "#"): skipComment()
            case 0x20, 0x09: i += 1
            case 0x0D where at(i + 1) == 0x0A: i += 1
            case _ where c >= 0x80: return fail("a non-ASCII character outside a string or a comment")
            case _ where c < 0x20: return fail("a control character")
            default: i += 1
            }
            return nil
        }

        /// `\u0000` or `\U00000000` at `j`. The parser underneath hands strings over as C
        /// strings, so a NUL would silently cut the value short ("/usr/bin/app\u0000x" read as
        /// "/usr/bin/app"); it is refused here, where it is still visible.
        func isNULEscape(at j: Int) -> Bool {
            guard let e = at(j + 1), e == UInt8(ascii: "u") || e == UInt8(ascii: "U") else { return false }
            return (0..<(e == UInt8(ascii: "u") ? 4 : 8)).allSatisfy { at(j + 2 + $0) == UInt8(ascii: "0") }
        }

        /// A basic or literal string, single- or multi-line.
        mutating func string() -> (Int, Int, String)? {
            let quote = b[i]
            let triple = at(i + 1) == quote && at(i + 2) == quote
            let width = triple ? 3 : 1
            let escapes = quote == UInt8(ascii: "\"")
            let open = (line, i - lineStart + 1)
            i += width
            while i < b.count {
                if b[i] == quote && (!triple || (at(i + 1) == quote && at(i + 2) == quote)) {
                    i += width
                    return nil
                }
                if b[i] == 0x0A {
                    guard triple else { return (open.0, open.1, "a string is not closed on its line") }
                    newline()
                    continue
                }
                if b[i] < 0x20 && b[i] != 0x09 { return fail("a control character in a string") }
                if escapes && b[i] == UInt8(ascii: "\\") {
                    if isNULEscape(at: i) { return fail("a NUL character (\\u0000) in a string: no value may hold one") }
                    i += 2
                    continue
                }
                i += 1
            }
            return (open.0, open.1, "a string is not closed")
        }
    }
}
