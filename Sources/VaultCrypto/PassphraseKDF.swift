import CSodium
import Foundation

/// Argon2id parameters as stored in the vault, so a vault made on one machine opens on another.
public struct PassphraseKDFParameters: Sendable, Equatable, Codable {
    public var salt: Data
    public var opsLimit: UInt64
    public var memLimit: UInt64

    public init(salt: Data, opsLimit: UInt64, memLimit: UInt64) {
        self.salt = salt
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// Fresh salt with libsodium's MODERATE cost (3 passes, 256 MiB), or the given costs.
    public static func fresh(opsLimit: UInt64 = UInt64(crypto_pwhash_opslimit_moderate()),
                             memLimit: UInt64 = UInt64(crypto_pwhash_memlimit_moderate())) throws(CryptoError) -> Self {
        try Sodium.ready()
        return Self(salt: Random.data(count: Int(crypto_pwhash_saltbytes())), opsLimit: opsLimit, memLimit: memLimit)
    }
}

/// Turns an operator's passphrase into a 32-byte master key with Argon2id.
public enum PassphraseKDF {
    public static func deriveKey(passphrase: SecureBytes, parameters: PassphraseKDFParameters) throws(CryptoError) -> SecureBytes {
        try Sodium.ready()
        guard parameters.salt.count == Int(crypto_pwhash_saltbytes()) else {
            throw .invalidKDFParameters("salt must be \(crypto_pwhash_saltbytes()) bytes")
        }
        guard parameters.opsLimit >= UInt64(crypto_pwhash_opslimit_min()),
              parameters.memLimit >= UInt64(crypto_pwhash_memlimit_min()),
              parameters.memLimit <= 4 << 30 else {
            throw .invalidKDFParameters("ops \(parameters.opsLimit), mem \(parameters.memLimit) out of range")
        }
        let key = try SecureBytes(count: 32)
        let status: Int32 = key.withUnsafeMutableBytes { k in
            passphrase.withUnsafeBytes { p in
                parameters.salt.withUnsafeBytes { s in
                    crypto_pwhash(
                        k.u8, 32,
                        UnsafeRawPointer(p.u8).assumingMemoryBound(to: CChar.self), UInt64(p.count),
                        s.u8,
                        parameters.opsLimit, Int(parameters.memLimit),
                        crypto_pwhash_alg_argon2id13())
                }
            }
        }
        guard status == 0 else { throw .passphraseDerivationFailed }
        return key
    }
}
