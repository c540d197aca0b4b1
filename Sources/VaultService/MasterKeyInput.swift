import VaultCrypto

/// Master key material as the operator supplies it.
public enum MasterKeyInput: Sendable {
    /// 32 random bytes (key file or systemd credential).
    case key(SecureBytes)
    /// A passphrase, stretched with Argon2id.
    case passphrase(SecureBytes)

    var kindName: String {
        switch self {
        case .key: "key"
        case .passphrase: "passphrase"
        }
    }
}

/// Supplies master key material once the vault says which kind it needs; called only when a
/// command needs the key, so read-only commands never prompt.
public typealias MasterKeyProvider = @Sendable (_ needsPassphrase: Bool) throws -> MasterKeyInput
