import VaultCrypto

/// The keys that open the vault: the data key's derived keys and the master key (KEK) that
/// unwrapped it, kept so `rekey --data-key` can rewrap. A vault opened sealed (a passphrase
/// vault under the daemon) has neither until `unseal`; unseal attempts go one at a time, each
/// failure making the next wait longer, so guessing cannot be sped up in parallel.
struct Keyring {
    private(set) var keys: VaultKeys?
    private(set) var masterKey: SecureBytes?
    private var failedUnseals = 0
    private var unsealing = false

    init(keys: VaultKeys?, masterKey: SecureBytes?) {
        self.keys = keys
        self.masterKey = masterKey
    }

    var isUnlocked: Bool { keys != nil }

    func require() throws(ServiceError) -> VaultKeys {
        guard let keys else { throw .masterKeyRequired(kind: "pass --key-file, set [vault] key_file, or run under systemd with LoadCredentialEncrypted=master.key") }
        return keys
    }

    /// New keys (after an unseal or a rekey); a nil `masterKey` keeps the one in hand.
    mutating func install(_ keys: VaultKeys, masterKey: SecureBytes?) {
        self.keys = keys
        if let masterKey { self.masterKey = masterKey }
    }

    /// Forgets the keys: this host was removed from its fleet, so it must not go on with a data
    /// key the fleet has replaced.
    mutating func drop() {
        keys = nil
        masterKey = nil
    }

    /// Starts an unseal attempt: how long it must wait first, after earlier failures.
    mutating func beginUnseal() throws(ServiceError) -> Duration {
        guard !unsealing else { throw .invalidInput("an unseal is already in progress") }
        unsealing = true
        return failedUnseals > 0 ? .milliseconds(min(250 << min(failedUnseals, 5), 8_000)) : .zero
    }

    /// How an unseal attempt ended: only a key or passphrase that did not open the vault makes
    /// the next attempt wait longer.
    enum UnsealOutcome { case unlocked, refused, failed }

    mutating func endUnseal(_ outcome: UnsealOutcome) {
        unsealing = false
        switch outcome {
        case .unlocked: failedUnseals = 0
        case .refused: failedUnseals += 1
        case .failed: break
        }
    }
}
