/// The purposes for which sub-keys are derived from the vault's data key. The raw values are
/// crypto_kdf sub-key ids and part of the on-disk format: never renumber them.
public enum KeyPurpose: UInt64, Sendable, CaseIterable {
    /// Seals tokens, login credentials, JWTs and signing seeds.
    case secrets = 1
    /// Keys the MAC chain of the audit log.
    case auditMAC = 2
    /// Keys the BLAKE2b fingerprints shown to operators.
    case fingerprint = 3
}

// Sub-key id 4 is retired: signing seeds are random and sealed under `secrets`. Never reuse it.
