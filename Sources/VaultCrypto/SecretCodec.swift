import CSodium

/// Text encodings of key material through libsodium's constant-time codecs, so the time taken
/// to read a key file says nothing about the key's bytes. Works on caller-owned buffers: key
/// material never passes through a `String`.
public enum SecretCodec {
    /// Decodes padded standard base64 (RFC 4648 §4) into `out`; the decoded length, or nil when
    /// the text is not canonical base64 or does not fit.
    public static func decodeBase64(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard (try? Sodium.ready()) != nil, let t = text.baseAddress, let o = out.baseAddress else { return nil }
        var written = 0
        var end: UnsafePointer<CChar>?
        let rc = sodium_base642bin(o.assumingMemoryBound(to: UInt8.self), out.count, t.assumingMemoryBound(to: CChar.self), text.count,
                                   nil, &written, &end, sodium_base64_VARIANT_ORIGINAL)
        // Every character must be consumed: trailing bytes are not silently ignored.
        guard rc == 0, end.map({ UnsafeRawPointer($0) == t + text.count }) ?? false else { return nil }
        return written
    }

    /// Decodes hexadecimal digits into `out`; the decoded length, or nil.
    public static func decodeHex(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard (try? Sodium.ready()) != nil, let t = text.baseAddress, let o = out.baseAddress else { return nil }
        var written = 0
        var end: UnsafePointer<CChar>?
        let rc = sodium_hex2bin(o.assumingMemoryBound(to: UInt8.self), out.count, t.assumingMemoryBound(to: CChar.self), text.count,
                                nil, &written, &end)
        guard rc == 0, end.map({ UnsafeRawPointer($0) == t + text.count }) ?? false else { return nil }
        return written
    }

    /// The padded base64 length of `n` bytes.
    public static func base64Length(_ n: Int) -> Int { (n + 2) / 3 * 4 }

    /// Writes the padded standard base64 of `input` to the start of `out`, followed by a NUL
    /// (libsodium terminates what it writes), so `out` needs `base64Length(input.count) + 1`
    /// bytes; the count of characters written, without the NUL.
    public static func encodeBase64(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        let n = base64Length(input.count)
        guard (try? Sodium.ready()) != nil, out.count > n, let i = input.baseAddress, let o = out.baseAddress else { return 0 }
        _ = sodium_bin2base64(o.assumingMemoryBound(to: CChar.self), out.count, i.assumingMemoryBound(to: UInt8.self), input.count,
                              sodium_base64_VARIANT_ORIGINAL)
        return n
    }
}
