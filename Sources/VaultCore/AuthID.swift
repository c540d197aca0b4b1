/// A Vobiz account id: `PA_…` for the partner, `MA_…` for a customer account.
/// Validated once at the edge so every later layer can trust its shape.
public struct AuthID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String

    /// Accepts `PA_`/`MA_` followed by 1–64 ASCII letters, digits, `_` or `-`.
    public init(_ raw: String) throws(CoreError) {
        let bytes = Array(raw.utf8)
        guard bytes.count >= 4, bytes.count <= 67,
              raw.hasPrefix("PA_") || raw.hasPrefix("MA_"),
              bytes.dropFirst(3).allSatisfy(Self.isIDByte) else {
            throw .invalidAuthID(Self.printable(raw))
        }
        rawValue = raw
    }

    /// The kind the prefix implies.
    public var kind: CredentialKind { rawValue.hasPrefix("PA_") ? .partner : .customer }
    public var description: String { rawValue }

    public static func < (a: AuthID, b: AuthID) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try AuthID(decoder.singleValueContainer().decode(String.self)).rawValue
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }

    /// An operator-safe rendering of bad input for error messages: short, printable ASCII only.
    /// (An auth id is not secret, but a pasted token in the wrong column might be; only text
    /// that already looks like an id is echoed.)
    static func printable(_ raw: String) -> String {
        guard raw.hasPrefix("PA_") || raw.hasPrefix("MA_") else { return "<\(raw.utf8.count)-byte value>" }
        return Echo.short(raw)
    }
}
