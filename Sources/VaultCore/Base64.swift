/// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) that work on caller-owned
/// buffers, so key material never passes through a `String`.
public enum Base64 {
    static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encoded length of `n` bytes.
    public static func encodedLength(_ n: Int, padded: Bool = true) -> Int {
        padded ? (n + 2) / 3 * 4 : (n * 4 + 2) / 3
    }

    /// Writes the encoding of `input` to the start of `out` (which must be large enough).
    @discardableResult
    public static func encode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, urlSafe: Bool = false) -> Int {
        let alphabet = urlSafe ? url : standard
        var o = 0
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            for shift in [18, 12, 6, 0] { out[o] = alphabet[Int(v >> UInt32(shift) & 63)]; o += 1 }
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            var v = UInt32(input[i]) << 16
            if rest == 2 { v |= UInt32(input[i + 1]) << 8 }
            out[o] = alphabet[Int(v >> 18 & 63)]; o += 1
            out[o] = alphabet[Int(v >> 12 & 63)]; o += 1
            if rest == 2 { out[o] = alphabet[Int(v >> 6 & 63)]; o += 1 }
            if !urlSafe {
                for _ in rest..<3 { out[o] = UInt8(ascii: "="); o += 1 }
            }
        }
        return o
    }

    /// Decodes strictly (no whitespace, canonical padding); returns the byte count or nil.
    public static func decode(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, urlSafe: Bool = false) -> Int? {
        var len = text.count
        if !urlSafe {
            guard len % 4 == 0 else { return nil }
            var pad = 0
            while pad < 2, len > 0, text[len - 1] == UInt8(ascii: "=") { len -= 1; pad += 1 }
        } else if len % 4 == 1 {
            return nil
        }
        let produced = len * 3 / 4
        guard produced <= out.count else { return nil }
        var acc: UInt32 = 0, bits = 0, o = 0
        for i in 0..<len {
            guard let v = value(text[i], urlSafe: urlSafe) else { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out[o] = UInt8(truncatingIfNeeded: acc >> UInt32(bits)); o += 1
            }
        }
        // Leftover bits must be zero, or two encodings would decode alike.
        guard acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return o
    }

    static func value(_ c: UInt8, urlSafe: Bool) -> UInt32? {
        switch c {
        case 0x41...0x5A: UInt32(c - 0x41)
        case 0x61...0x7A: UInt32(c - 0x61 + 26)
        case 0x30...0x39: UInt32(c - 0x30 + 52)
        case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: 62
        case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: 63
        default: nil
        }
    }

    /// Convenience for public values (keys, nonces, signatures).
    public static func encode(_ bytes: [UInt8], urlSafe: Bool = false) -> String {
        var out = [UInt8](repeating: 0, count: encodedLength(bytes.count, padded: !urlSafe))
        let n = bytes.withUnsafeBytes { i in out.withUnsafeMutableBytes { encode(i, into: $0, urlSafe: urlSafe) } }
        return String(decoding: out.prefix(n), as: UTF8.self)
    }

    public static func decode(_ text: String, urlSafe: Bool = false) -> [UInt8]? {
        let t = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: t.count * 3 / 4 + 3)
        guard let n = t.withUnsafeBytes({ i in out.withUnsafeMutableBytes { decode(i, into: $0, urlSafe: urlSafe) } }) else { return nil }
        return Array(out.prefix(n))
    }
}
