/// Failures of the cryptographic layer. Messages never contain key or plaintext material.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libsodium could not initialise (no entropy source).
    case libraryUnavailable
    /// Locked memory for a secret could not be allocated.
    case secureAllocationFailed(bytes: Int)
    /// A key had the wrong length for the primitive it was given to.
    case invalidKeyLength(expected: Int, actual: Int)
    /// AEAD authentication failed: wrong key, data bound to another row, or tampering.
    case openFailed
    /// The sealed blob is shorter than nonce plus tag, so it cannot be a ciphertext of ours.
    case malformedCiphertext
    /// Argon2id could not run with the stored parameters (usually: not enough memory).
    case passphraseDerivationFailed
    /// A passphrase KDF parameter is outside what libsodium accepts.
    case invalidKDFParameters(String)
    /// A key slot's public key is not 32 bytes long.
    case slotKeyLength(actual: Int)
    /// A key slot's public key is zero or a small-order point: a box sealed to it opens for anyone.
    case weakSlotKey
    /// The slot secret key a joining host kept is all zeros: lost or never written.
    case blankSlotSecretKey
    /// A sealed box did not open with this host's slot key: sealed to another key, cut short or altered.
    case sealedBoxOpenFailed

    public var description: String {
        switch self {
        case .libraryUnavailable: "libsodium failed to initialise"
        case .secureAllocationFailed(let n): "could not allocate \(n) bytes of locked memory (check RLIMIT_MEMLOCK)"
        case .invalidKeyLength(let e, let a): "key has \(a) bytes, expected \(e)"
        case .openFailed: "ciphertext does not open: wrong key, moved between rows, or tampered"
        case .malformedCiphertext: "ciphertext is truncated or malformed"
        case .passphraseDerivationFailed: "Argon2id key derivation failed (not enough memory for the stored parameters?)"
        case .invalidKDFParameters(let why): "invalid passphrase KDF parameters: \(why)"
        case .slotKeyLength(let n):
            "the key slot's public key has \(n) bytes, expected 32: the pending slot is damaged; "
                + "have the joining host run `fleet join` again"
        case .weakSlotKey:
            "the key slot's public key is zero or a small-order point, so anyone could open what is sealed to it: "
                + "do not admit this slot (the database may have been tampered with); have the joining host run `fleet join` "
                + "again and compare the new fingerprint"
        case .blankSlotSecretKey:
            "this host's kept slot secret key is all zeros (lost or never written): run `fleet join` again"
        case .sealedBoxOpenFailed:
            "the sealed data key does not open with this host's slot key: it was sealed to another host's key "
                + "or altered in the database; have a member host run `fleet admit` for this host again"
        }
    }
}
