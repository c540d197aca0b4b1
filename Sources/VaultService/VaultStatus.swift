/// Facts about the vault as a whole, for `status`.
public struct VaultStatus: Sendable, Equatable {
    public let vaultID: String
    public let stateDir: String
    public let format: Int
    public let createdAt: Int64
    public let masterKeyKind: String
    public let masterKeyID: String
    public let masterKeySetAt: Int64
    public let dataKeyID: String
    public let dataKeyCreatedAt: Int64
    public let unlocked: Bool
    public let accounts: Int
    public let accountsByState: [String: Int]
    public let auditRows: Int64
}
