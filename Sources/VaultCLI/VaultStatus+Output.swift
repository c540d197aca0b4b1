import VaultCore
import VaultService

extension VaultStatus {
    var json: [String: Any] {
        [
            "vault_id": vaultID,
            "state_dir": stateDir,
            "format": format,
            "created_at": Timestamp.iso(createdAt),
            "master_key": ["kind": masterKeyKind, "id": masterKeyID, "set_at": Timestamp.iso(masterKeySetAt)] as [String: Any],
            "data_key": ["id": dataKeyID, "created_at": Timestamp.iso(dataKeyCreatedAt)] as [String: Any],
            "unlocked": unlocked,
            "credentials": accounts,
            "credentials_by_state": accountsByState,
            "audit_rows": auditRows,
        ]
    }

    var text: String {
        let states = accountsByState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return """
            vault:        \(vaultID)
            state dir:    \(stateDir)
            created:      \(Timestamp.iso(createdAt))
            master key:   \(masterKeyKind) \(masterKeyID), set \(Timestamp.iso(masterKeySetAt))
            data key:     \(dataKeyID), created \(Timestamp.iso(dataKeyCreatedAt))
            credentials:  \(accounts)\(states.isEmpty ? "" : " (\(states))")
            audit rows:   \(auditRows)
            key checked:  \(unlocked ? "yes" : "no (no key supplied; read-only)")
            """
    }
}
