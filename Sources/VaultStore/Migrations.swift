import GRDB

/// The schema, append-only: a shipped migration is never edited; changes come as new ones.
/// Constraints live here so SQLite refuses inconsistent data whatever the code above does.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-schema", migrate: v1)
        m.registerMigration("v2-upstream-rejections", migrate: v2)
        m.registerMigration("v3-grace-index", migrate: v3)
        m.registerMigration("v4-audit-host", migrate: v4)
        return m
    }

    /// Vobiz answered 401 to a credential: since when, and on what (proxy, verify, jwt-login).
    /// Cleared by the next success.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE accounts ADD COLUMN rejected_at INTEGER;
            ALTER TABLE accounts ADD COLUMN rejected_by TEXT
                CHECK (rejected_by IS NULL OR rejected_by IN ('proxy', 'verify', 'jwt-login'));
            """)
    }

    /// The grace destroyer looks for previous versions past their grace every minute: an index
    /// on just those keeps the look proportional to what it finds, not to the vault.
    static func v3(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX token_versions_grace ON token_versions(destroy_after) WHERE status = 'previous'")
    }

    /// The fleet host that wrote an audit row: rows copied from a fleet's store keep it (it is
    /// under their MAC); a single host's rows leave it NULL.
    static func v4(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE audit_events ADD COLUMN host TEXT CHECK (host IS NULL OR length(host) BETWEEN 1 AND 64)")
    }

    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vault_meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                format INTEGER NOT NULL,
                vault_id TEXT NOT NULL CHECK (length(vault_id) = 32),
                created_at INTEGER NOT NULL,
                kek_kind TEXT NOT NULL CHECK (kek_kind IN ('key', 'passphrase')),
                kdf_salt BLOB,
                kdf_opslimit INTEGER,
                kdf_memlimit INTEGER,
                wrapped_dek BLOB NOT NULL CHECK (length(wrapped_dek) = 72),
                kek_id TEXT NOT NULL,
                kek_set_at INTEGER NOT NULL,
                dek_id TEXT NOT NULL,
                dek_created_at INTEGER NOT NULL,
                audit_head_seq INTEGER NOT NULL DEFAULT 0 CHECK (audit_head_seq >= 0),
                audit_head_tag BLOB,
                CHECK ((kek_kind = 'passphrase') = (kdf_salt IS NOT NULL AND kdf_opslimit IS NOT NULL AND kdf_memlimit IS NOT NULL))
            );

            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                auth_id TEXT NOT NULL UNIQUE CHECK (auth_id GLOB 'PA_?*' OR auth_id GLOB 'MA_?*'),
                kind TEXT NOT NULL CHECK (kind IN ('partner', 'customer')),
                label TEXT NOT NULL DEFAULT '',
                parent_auth_id TEXT REFERENCES accounts(auth_id) ON DELETE RESTRICT,
                state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked', 'compromised')),
                state_changed_at INTEGER,
                state_reason TEXT,
                max_age_seconds INTEGER CHECK (max_age_seconds > 0),
                warn_seconds INTEGER CHECK (warn_seconds >= 0),
                created_at INTEGER NOT NULL,
                CHECK ((kind = 'partner') = (auth_id GLOB 'PA_*')),
                CHECK (kind = 'customer' OR parent_auth_id IS NULL)
            );
            CREATE UNIQUE INDEX accounts_one_partner ON accounts(kind) WHERE kind = 'partner';

            CREATE TABLE token_versions (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
                version INTEGER NOT NULL CHECK (version >= 1),
                status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'previous', 'destroyed')),
                ciphertext BLOB,
                fingerprint TEXT NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('import', 'rotate', 'capture')),
                created_at INTEGER NOT NULL,
                activated_at INTEGER,
                retired_at INTEGER,
                destroy_after INTEGER,
                destroyed_at INTEGER,
                actor TEXT,
                actor_uid INTEGER,
                reason TEXT,
                UNIQUE (account_id, version),
                CHECK ((status = 'destroyed') = (ciphertext IS NULL)),
                CHECK (status <> 'previous' OR destroy_after IS NOT NULL)
            );
            CREATE UNIQUE INDEX token_versions_one_active ON token_versions(account_id) WHERE status = 'active';

            CREATE TABLE login_credentials (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE RESTRICT,
                ciphertext BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                actor TEXT
            );

            CREATE TABLE jwt_sessions (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE RESTRICT,
                state TEXT NOT NULL DEFAULT 'empty' CHECK (state IN ('empty', 'valid', 'failed')),
                ciphertext BLOB,
                issued_at INTEGER,
                expires_at INTEGER,
                refresh_after INTEGER,
                last_used_at INTEGER,
                last_refresh_at INTEGER,
                last_error TEXT,
                CHECK ((state = 'valid') = (ciphertext IS NOT NULL))
            );

            CREATE TABLE signing_keys (
                id INTEGER PRIMARY KEY,
                kid TEXT NOT NULL UNIQUE,
                public_key BLOB NOT NULL CHECK (length(public_key) = 32),
                sealed_seed BLOB NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
                created_at INTEGER NOT NULL,
                retired_at INTEGER
            );
            CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(status) WHERE status = 'active';

            CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                at_ms INTEGER NOT NULL,
                actor_uid INTEGER,
                actor_user TEXT,
                actor_pid INTEGER,
                actor_exe TEXT,
                op TEXT NOT NULL,
                auth_id TEXT,
                version INTEGER,
                outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
                reason TEXT,
                detail TEXT,
                prev_mac BLOB NOT NULL CHECK (length(prev_mac) = 32),
                mac BLOB NOT NULL CHECK (length(mac) = 32)
            );
            """)
    }
}
