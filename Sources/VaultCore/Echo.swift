/// How bad input is quoted back in error messages: short printable ASCII only, anything else
/// by its length. Input that may be a secret is never quoted (see `AuthID.printable`).
public enum Echo {
    public static func short(_ raw: String, limit: Int = 24) -> String {
        guard raw.utf8.count <= limit else { return "<\(raw.utf8.count)-byte value>" }
        return String(raw.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
