/// Facts about the vault as a whole, as the admin API answers them and `status --json` prints
/// them.
public struct StatusView: Codable, Sendable, Equatable {
    public struct MasterKey: Codable, Sendable, Equatable {
        public var kind: String
        public var id: String
        public var setAt: String
        enum CodingKeys: String, CodingKey { case kind, id, setAt = "set_at" }
    }

    public struct DataKey: Codable, Sendable, Equatable {
        public var id: String
        public var createdAt: String
        enum CodingKeys: String, CodingKey { case id, createdAt = "created_at" }
    }

    public var vaultID: String
    public var stateDir: String
    public var format: Int
    public var createdAt: String
    public var masterKey: MasterKey
    public var dataKey: DataKey
    /// Whether the master key was checked (a command run without it reads metadata only).
    public var unlocked: Bool
    public var credentials: Int
    public var credentialsByState: [String: Int]
    public var auditRows: Int64

    enum CodingKeys: String, CodingKey {
        case vaultID = "vault_id", stateDir = "state_dir", format, createdAt = "created_at", masterKey = "master_key"
        case dataKey = "data_key", unlocked, credentials, credentialsByState = "credentials_by_state", auditRows = "audit_rows"
    }

    public init(vaultID: String, stateDir: String, format: Int, createdAt: Int64, masterKeyKind: String, masterKeyID: String,
                masterKeySetAt: Int64, dataKeyID: String, dataKeyCreatedAt: Int64, unlocked: Bool, credentials: Int,
                credentialsByState: [String: Int], auditRows: Int64) {
        self.vaultID = vaultID
        self.stateDir = stateDir
        self.format = format
        self.createdAt = Timestamp.iso(createdAt)
        masterKey = MasterKey(kind: masterKeyKind, id: masterKeyID, setAt: Timestamp.iso(masterKeySetAt))
        dataKey = DataKey(id: dataKeyID, createdAt: Timestamp.iso(dataKeyCreatedAt))
        self.unlocked = unlocked
        self.credentials = credentials
        self.credentialsByState = credentialsByState
        self.auditRows = auditRows
    }

    public var text: String {
        let states = credentialsByState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return """
            vault:        \(vaultID)
            state dir:    \(stateDir)
            created:      \(createdAt)
            master key:   \(masterKey.kind) \(masterKey.id), set \(masterKey.setAt)
            data key:     \(dataKey.id), created \(dataKey.createdAt)
            credentials:  \(credentials)\(states.isEmpty ? "" : " (\(states))")
            audit rows:   \(auditRows)
            key checked:  \(unlocked ? "yes" : "no (no key supplied; read-only)")
            """
    }
}
