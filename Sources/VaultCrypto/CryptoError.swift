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

    public var description: String {
        switch self {
        case .libraryUnavailable: "libsodium failed to initialise"
        case .secureAllocationFailed(let n): "could not allocate \(n) bytes of locked memory (check RLIMIT_MEMLOCK)"
        case .invalidKeyLength(let e, let a): "key has \(a) bytes, expected \(e)"
        case .openFailed: "ciphertext does not open: wrong key, moved between rows, or tampered"
        case .malformedCiphertext: "ciphertext is truncated or malformed"
        case .passphraseDerivationFailed: "Argon2id key derivation failed (not enough memory for the stored parameters?)"
        case .invalidKDFParameters(let why): "invalid passphrase KDF parameters: \(why)"
        }
    }
}
