/// The free text an operator gives with a change (`reason`): kept in the audit chain for good
/// and printed by `show` and `audit tail`, so it is held to the label's rules: at most 200
/// characters, no control characters (a newline or an escape would forge lines in a terminal).
public enum ReasonText {
    public static let maxCharacters = 200

    public static func validated(_ reason: String?) throws(CoreError) -> String? {
        guard let reason else { return nil }
        guard reason.count <= maxCharacters else { throw .invalidReason("longer than \(maxCharacters) characters") }
        guard !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidReason("contains control characters")
        }
        return reason
    }
}
