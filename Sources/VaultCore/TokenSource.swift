/// How a token version entered the vault.
public enum TokenSource: String, Sendable, Codable, CaseIterable {
    case `import`
    case rotate
    case capture
}
