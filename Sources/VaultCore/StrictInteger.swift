/// Integers as the vault's formats write them. Swift's `Int64("+17")` and `Int("0017")` accept
/// spellings no signer or operator wrote; on a security path a second spelling of one value is a
/// second way past a check (a signature compared as text, a port compared as a number, an
/// address octet that `inet_aton` would read as octal), so every such field is parsed here.
public enum StrictInteger {
    /// A decimal: ASCII digits only, no sign or spaces, no leading zero unless the whole text
    /// is "0", at most `maxDigits` digits (which also keeps the value far from overflow).
    public static func decimal<S: StringProtocol>(_ text: S, maxDigits: Int = 18) -> Int64? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= min(maxDigits, 18), bytes.allSatisfy(isDigit) else { return nil }
        guard bytes.first != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
    }

    /// An octal file mode such as "0660" or "660": digits 0–7 only, no sign, at most four digits
    /// (a leading zero is how modes are written, so it is allowed here).
    public static func octalMode<S: StringProtocol>(_ text: S) -> UInt32? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 4, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
        return bytes.reduce(0) { $0 * 8 + UInt32($1 - UInt8(ascii: "0")) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
