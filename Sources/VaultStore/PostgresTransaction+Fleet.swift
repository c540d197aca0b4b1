import Foundation
import PostgresNIO
import VaultCore

/// The fleet's tables over PostgreSQL, and `vault_meta` as each host sees it: the shared row
/// with the master key's fields of this host's own key slot.
extension PostgresTransaction: FleetTransaction {
    func meta() throws -> VaultMetaRecord {
        let found = try rows("""
            SELECT m.format, m.vault_id, m.created_at AS vault_created_at, m.dek_id AS vault_dek_id, m.dek_created_at, m.audit_head_seq, m.audit_head_tag, s.*
            FROM vault_meta m LEFT JOIN key_slots s ON s.host = \(host) AND s.state = 'active' WHERE m.id = 1
            """)
        guard let row = found.first else { throw StoreError.missingMeta }
        typealias K = VaultMetaRecord.CodingKeys
        let r = PostgresRowReader(row, table: "vault_meta")
        let vaultDEK: String = try r.value(Column.vaultDEKID)
        guard let slot = try? KeySlotRecord(pg: row), let wrapped = slot.wrappedDEK else { throw StoreError.noKeySlot(host: host) }
        guard slot.dekID == vaultDEK else { throw StoreError.staleKeySlot(host: host) }
        var m = VaultMetaRecord(format: Int(try r.value(K.format) as Int32), vaultID: try r.value(K.vaultID), createdAt: try r.value(Column.vaultCreatedAt),
                                kekKind: slot.kekKind, kdfSalt: slot.kdfSalt, kdfOpsLimit: slot.kdfOpsLimit, kdfMemLimit: slot.kdfMemLimit,
                                wrappedDEK: wrapped, kekID: slot.kekID, kekSetAt: slot.kekSetAt, dekID: vaultDEK,
                                dekCreatedAt: try r.value(K.dekCreatedAt))
        m.auditHeadSeq = try r.value(K.auditHeadSeq)
        m.auditHeadTag = try r.optional(K.auditHeadTag)
        return m
    }

    enum Column: String, CodingKey { case vaultDEKID = "vault_dek_id", vaultCreatedAt = "vault_created_at" }

    /// The vault's row and this host's wrapping of the data key: the host's slot (`insert(_:)`)
    /// must be there already, holding its key pair.
    func insertMeta(_ m: VaultMetaRecord) throws {
        try run("""
            INSERT INTO vault_meta (id, format, vault_id, created_at, dek_id, dek_created_at, audit_head_seq, audit_head_tag)
            VALUES (1, \(Int32(m.format)), \(m.vaultID), \(m.createdAt), \(m.dekID), \(m.dekCreatedAt), \(m.auditHeadSeq), \(m.auditHeadTag))
            """)
        try wrapInSlot(m)
        changed.vault = true
    }

    func updateMeta(_ m: VaultMetaRecord) throws {
        try run("""
            UPDATE vault_meta SET format = \(Int32(m.format)), vault_id = \(m.vaultID), created_at = \(m.createdAt), dek_id = \(m.dekID),
                dek_created_at = \(m.dekCreatedAt), audit_head_seq = \(m.auditHeadSeq), audit_head_tag = \(m.auditHeadTag)
            WHERE id = 1
            """)
        try wrapInSlot(m)
        changed.vault = true
    }

    private func wrapInSlot(_ m: VaultMetaRecord) throws {
        let updated = try rows("""
            UPDATE key_slots SET state = 'active', wrapped_dek = \(m.wrappedDEK), dek_id = \(m.dekID), sealed_dek = NULL,
                kek_kind = \(m.kekKind.rawValue), kdf_salt = \(m.kdfSalt), kdf_opslimit = \(m.kdfOpsLimit), kdf_memlimit = \(m.kdfMemLimit),
                kek_id = \(m.kekID), kek_set_at = \(m.kekSetAt), admitted_at = coalesce(admitted_at, \(m.kekSetAt))
            WHERE host = \(host) RETURNING host
            """)
        guard !updated.isEmpty else { throw StoreError.noKeySlot(host: host) }
    }

    func vaultIdentity() throws -> (vaultID: String, dekID: String) {
        guard let row = try rows("SELECT vault_id, dek_id FROM vault_meta WHERE id = 1").first else { throw StoreError.missingMeta }
        return try row.decode((String, String).self)
    }

    func readsAStandby() throws -> Bool {
        try rows("SELECT pg_is_in_recovery()").first?.decode(Bool.self) ?? false
    }

    func keySlot(_ host: String) throws -> KeySlotRecord? {
        try rows("SELECT * FROM key_slots WHERE host = \(host)").first.map(KeySlotRecord.init(pg:))
    }

    func keySlots() throws -> [KeySlotRecord] {
        try rows("SELECT * FROM key_slots ORDER BY created_at, host").map(KeySlotRecord.init(pg:))
    }

    func insert(_ s: KeySlotRecord) throws {
        try run("""
            INSERT INTO key_slots (host, state, public_key, sealed_secret, sealed_dek, dek_proof, member_mac, kek_kind, kdf_salt, kdf_opslimit, kdf_memlimit,
                                   wrapped_dek, kek_id, kek_set_at, dek_id, created_at, admitted_at, admitted_by, last_seen)
            VALUES (\(s.host), \(s.state.rawValue), \(s.publicKey), \(s.sealedSecret), \(s.sealedDEK), \(s.dekProof), \(s.memberMAC), \(s.kekKind.rawValue), \(s.kdfSalt),
                    \(s.kdfOpsLimit), \(s.kdfMemLimit), \(s.wrappedDEK), \(s.kekID), \(s.kekSetAt), \(s.dekID), \(s.createdAt),
                    \(s.admittedAt), \(s.admittedBy), \(s.lastSeen))
            """)
    }

    func update(_ s: KeySlotRecord) throws {
        try run("""
            UPDATE key_slots SET state = \(s.state.rawValue), public_key = \(s.publicKey), sealed_secret = \(s.sealedSecret),
                sealed_dek = \(s.sealedDEK), dek_proof = \(s.dekProof), member_mac = \(s.memberMAC), kek_kind = \(s.kekKind.rawValue), kdf_salt = \(s.kdfSalt), kdf_opslimit = \(s.kdfOpsLimit),
                kdf_memlimit = \(s.kdfMemLimit), wrapped_dek = \(s.wrappedDEK), kek_id = \(s.kekID), kek_set_at = \(s.kekSetAt),
                dek_id = \(s.dekID), admitted_at = \(s.admittedAt), admitted_by = \(s.admittedBy), last_seen = \(s.lastSeen)
            WHERE host = \(s.host)
            """)
    }

    /// A vault-wide change: the removed host sees it at once and drops its keys.
    func deleteKeySlot(_ host: String) throws -> Bool {
        changed.vault = true
        return try !rows("DELETE FROM key_slots WHERE host = \(host) RETURNING host").isEmpty
    }

    func changes(after seq: Int64, limit: Int) throws -> [StoreChange] {
        try rows("""
            SELECT c.seq, c.host, a.auth_id FROM changes c LEFT JOIN accounts a ON a.id = c.account_id
            WHERE c.seq > \(seq) ORDER BY c.seq LIMIT \(Int64(max(0, limit)))
            """).map { row in
            let (seq, host, authID) = try row.decode((Int64, String, String?).self)
            return StoreChange(seq: seq, host: host, authID: authID)
        }
    }

    func lastChange() throws -> Int64 {
        try rows("SELECT coalesce(max(seq), 0) FROM changes").first?.decode(Int64.self) ?? 0
    }

    func connectedHosts() throws -> [String] {
        try rows("""
            SELECT DISTINCT application_name FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> '' AND application_name <> \(host)
            ORDER BY 1
            """).map { try $0.decode(String.self) }
    }
}

extension KeySlotRecord {
    init(pg row: PostgresRow) throws {
        typealias K = CodingKeys
        let r = PostgresRowReader(row, table: "key_slots")
        guard let state = State(rawValue: try r.value(K.state)), let kind = VaultMetaRecord.KEKKind(rawValue: try r.value(K.kekKind)) else {
            throw StoreError.constraint("key_slots holds an unknown state or master key kind")
        }
        self.init(host: try r.value(K.host), publicKey: try r.value(K.publicKey), sealedSecret: try r.value(K.sealedSecret), kekKind: kind,
                  kdfSalt: try r.optional(K.kdfSalt), kdfOpsLimit: try r.optional(K.kdfOpsLimit), kdfMemLimit: try r.optional(K.kdfMemLimit),
                  kekID: try r.value(K.kekID), kekSetAt: try r.value(K.kekSetAt), createdAt: try r.value(K.createdAt))
        self.state = state
        sealedDEK = try r.optional(K.sealedDEK)
        dekProof = try r.optional(K.dekProof)
        memberMAC = try r.optional(K.memberMAC)
        wrappedDEK = try r.optional(K.wrappedDEK)
        dekID = try r.optional(K.dekID)
        admittedAt = try r.optional(K.admittedAt)
        admittedBy = try r.optional(K.admittedBy)
        lastSeen = try r.optional(K.lastSeen)
    }
}
