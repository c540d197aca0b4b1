/// The tables that hold a vault's rows in every backend. A backend's own tables (PostgreSQL's
/// key slots and change sequence, the migration bookkeeping) are not among them: they describe
/// the store, not the vault, and are not copied from one store to another.
public enum VaultTable: String, CaseIterable, Sendable {
    case vaultMeta = "vault_meta"
    case accounts
    case tokenVersions = "token_versions"
    case loginCredentials = "login_credentials"
    case jwtSessions = "jwt_sessions"
    case signingKeys = "signing_keys"
    case auditEvents = "audit_events"
}
