/// How the fingerprint of a key slot's public key is shown to operators and read back from
/// them: the first 128 bits of the digest as 8 groups of 4 upper-case hex digits
/// (`AB12-CD34-…`). Unlike a token `Fingerprint`, a mistaken match here hands the data key to
/// another host, hence the length; the groups make reading it aloud between hosts easier.
public enum SlotFingerprint {
    public static let byteCount = 16
    public static let groupLength = 4
    static let hexLength = byteCount * 2

    public static func render(_ digest: some Collection<UInt8>) -> String {
        precondition(digest.count >= byteCount, "slot fingerprint digest shorter than \(byteCount) bytes")
        let hex = Array(Hex.encode(digest.prefix(byteCount)).uppercased().utf8)
        let groups = stride(from: 0, to: hex.count, by: groupLength).map { hex[$0..<$0 + groupLength] }
        return groups.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
    }

    /// The digest bytes an operator typed: either case, dashes and spaces anywhere (as pasted
    /// from a terminal or read out in groups), but exactly 32 hex digits.
    public static func parse(_ text: String) throws(CoreError) -> [UInt8] {
        var digits: [UInt8] = []
        for c in text.utf8 where c != UInt8(ascii: "-") && c != UInt8(ascii: " ") && c != UInt8(ascii: "\t") {
            guard JSONParser.hexValue(c) != nil else {
                throw .invalidSlotFingerprint("it contains characters other than hex digits, dashes and spaces")
            }
            digits.append(c)
        }
        guard digits.count == hexLength, let bytes = Hex.decode(String(decoding: digits, as: UTF8.self)) else {
            throw .invalidSlotFingerprint("it has \(digits.count) hex digits, expected \(hexLength)")
        }
        return bytes
    }

    /// Whether `text` names `digest`. A malformed `text` throws rather than answering false, so
    /// a typo reads differently from a fingerprint of another key.
    public static func matches(_ text: String, digest: some Collection<UInt8>) throws(CoreError) -> Bool {
        let typed = try parse(text)
        guard digest.count >= byteCount else { return false }
        // No early exit: how long the answer takes says nothing about how many leading digits
        // of a guess were right.
        var difference: UInt8 = 0
        for (a, b) in zip(typed, digest.prefix(byteCount)) { difference |= a ^ b }
        return difference == 0
    }
}
