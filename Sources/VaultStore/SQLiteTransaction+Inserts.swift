import GRDB

/// The inserts an import makes for every credential, as prepared statements kept by the
/// connection: GRDB's record encoding (a Codable pass and a statement built per row) cost
/// more than SQLite's own work at 100,000 rows. Every column is named, so a column added by a
/// later migration fails loudly here until it is added.
extension SQLiteTransaction {
    func insertAccount(_ a: inout AccountRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO accounts (id, auth_id, kind, label, parent_auth_id, state, state_changed_at, state_reason,
                                  max_age_seconds, warn_seconds, created_at, rejected_at, rejected_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [a.id, a.authID, a.kind.rawValue, a.label, a.parentAuthID, a.state.rawValue, a.stateChangedAt,
                                     a.stateReason, a.maxAgeSeconds, a.warnSeconds, a.createdAt, a.rejectedAt, a.rejectedBy])
        a.id = db.lastInsertedRowID
    }

    func insertVersion(_ v: inout TokenVersionRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO token_versions (id, account_id, version, status, ciphertext, fingerprint, source, created_at, activated_at,
                                        retired_at, destroy_after, destroyed_at, actor, actor_uid, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [v.id, v.accountID, v.version, v.status.rawValue, v.ciphertext, v.fingerprint, v.source.rawValue,
                                     v.createdAt, v.activatedAt, v.retiredAt, v.destroyAfter, v.destroyedAt, v.actor, v.actorUID, v.reason])
        v.id = db.lastInsertedRowID
    }
}
