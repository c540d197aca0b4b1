/// What a caller asks to do with a credential; grants list the operations they allow.
public enum GrantOperation: String, Sendable, Hashable, CaseIterable, Codable {
    case headers
    case proxy
    case jwt
    case verifyCallback = "verify_callback"
}
