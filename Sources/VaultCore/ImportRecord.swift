/// One credential to import, validated. The token stays in a wipeable buffer.
public struct ImportRecord: Sendable {
    public let authID: AuthID
    public let token: SecretScratch
    public let label: String?

    public var kind: CredentialKind { authID.kind }

    /// Validates every field; `declaredKind`, when given, must agree with the auth id's prefix.
    public init(authID: String, token: SecretScratch, label: String?, declaredKind: String? = nil) throws(CoreError) {
        let id = try AuthID(authID)
        if let k = declaredKind, CredentialKind(rawValue: k) != id.kind {
            throw .kindMismatch(authID: id.rawValue, declared: Echo.short(k))
        }
        try Self.validateToken(token)
        self.authID = id
        self.token = token
        self.label = try label.map(Self.validatedLabel)
    }

    public static func validateToken(_ token: SecretScratch) throws(CoreError) {
        try token.withUnsafeBytes { (b) throws(CoreError) in try TokenRules.check(b) }
    }

    public static func validatedLabel(_ label: String) throws(CoreError) -> String {
        guard label.count <= 200 else { throw .invalidLabel("longer than 200 characters") }
        guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidLabel("contains control characters")
        }
        return label
    }
}
