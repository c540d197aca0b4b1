/// Life cycle of one token version. Exactly one version per account is `active`;
/// `previous` versions are kept until their grace ends, then `destroyed` (ciphertext removed).
public enum TokenStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case active
    case previous
    case destroyed
}
