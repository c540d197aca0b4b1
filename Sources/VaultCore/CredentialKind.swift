/// Which Vobiz API scope a credential drives.
public enum CredentialKind: String, Sendable, Codable, CaseIterable {
    case partner
    case customer
}
