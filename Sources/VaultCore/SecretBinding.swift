/// The associated data that binds a sealed secret to the row it belongs to
/// (`table|account auth_id|version|purpose`, Docs/key-management.md): a ciphertext copied into another
/// row, account or version fails to open instead of passing as that row's secret.
public enum SecretBinding: Sendable, Equatable {
    case token(AuthID, version: Int64)
    case loginCredentials(AuthID)
    case jwtSession(AuthID)
    case signingSeed(kid: String)
    /// The data key wrapped by the master key, bound to the vault it belongs to.
    case dataKey(vaultID: String)
    /// A fleet host's X25519 secret key, sealed under that host's master key in its key slot.
    case slotSecret(vaultID: String, host: String)

    public var associatedData: [UInt8] {
        let text: String
        switch self {
        case .token(let id, let v): text = "token_versions|\(id.rawValue)|\(v)|token"
        case .loginCredentials(let id): text = "login_credentials|\(id.rawValue)|0|login"
        case .jwtSession(let id): text = "jwt_sessions|\(id.rawValue)|0|access_token"
        case .signingSeed(let kid): text = "signing_keys|\(kid)|0|seed"
        case .dataKey(let vault): text = "vault_meta|\(vault)|0|data_key"
        case .slotSecret(let vault, let host): text = "key_slots|\(vault):\(host)|0|slot_secret"
        }
        return Array(text.utf8)
    }
}
