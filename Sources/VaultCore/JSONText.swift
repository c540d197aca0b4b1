/// JSON string literals written byte by byte, so a secret can go into a request body without
/// ever becoming a Swift `String`.
public enum JSONText {
    /// Appends `bytes` as a quoted JSON string (escaping `"`, `\` and control bytes).
    public static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        // One allocation for the worst case: no regrowth leaves a copy of a secret behind.
        out.reserveCapacity(out.count + bytes.count * 6 + 2)
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        Array(text.utf8).withUnsafeBytes { appendString($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
