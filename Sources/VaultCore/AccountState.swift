/// Whether a credential may be used. `revoked` and `compromised` issue nothing until rotated.
public enum AccountState: String, Sendable, Codable, CaseIterable {
    case active
    case revoked
    case compromised
}
