/// What a caller asks to do with a credential; grants list the operations they allow.
public enum Operation: String, Sendable, Hashable, CaseIterable, Codable {
    case headers
    case proxy
    case jwt
    case verifyCallback = "verify_callback"
}
