import VaultCore
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

extension VaultStatus {
    /// The admin surface's shape of these facts (`status --json`, `GET /v1/admin/status`).
    public var view: StatusView {
        StatusView(vaultID: vaultID, stateDir: stateDir, format: format, createdAt: createdAt, masterKeyKind: masterKeyKind,
                   masterKeyID: masterKeyID, masterKeySetAt: masterKeySetAt, dataKeyID: dataKeyID, dataKeyCreatedAt: dataKeyCreatedAt,
                   unlocked: unlocked, credentials: accounts, credentialsByState: accountsByState, auditRows: auditRows)
    }
}
