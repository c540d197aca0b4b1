/// Hex decoding into a caller-owned buffer (for key files).
public enum HexDecoder {
    /// Decodes exactly `out.count` bytes from `2 * out.count` hex digits.
    public static func decode(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == out.count * 2 else { return false }
        for i in 0..<out.count {
            guard let hi = JSONParser.hexValue(text[2 * i]), let lo = JSONParser.hexValue(text[2 * i + 1]) else { return false }
            out[i] = UInt8(hi << 4 | lo)
        }
        return true
    }
}
