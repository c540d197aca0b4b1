/// What a Vobiz auth token may look like. Checked on every path a token enters by.
public enum TokenRules {
    public static let maxLength = 512

    /// Vobiz tokens are printable ASCII; anything else is a paste error, and saying so early
    /// beats a 401 later. The message gives the length, never the value.
    public static func check(_ token: UnsafeRawBufferPointer) throws(CoreError) {
        guard !token.isEmpty else { throw .invalidToken("it is empty") }
        guard token.count <= maxLength else { throw .invalidToken("it is \(token.count) bytes; at most \(maxLength) are accepted") }
        guard token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidToken("it must be printable ASCII without spaces (\(token.count) bytes given)")
        }
    }
}
