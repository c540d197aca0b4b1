import CSodium

/// Purpose keys from the data key with crypto_kdf (BLAKE2b), so a leak of one purpose key
/// (say the fingerprint key) says nothing about the others.
public enum KeyDerivation {
    /// crypto_kdf context: exactly 8 bytes, fixed for the on-disk format.
    static let context: [CChar] = Array("vvault01".utf8CString.prefix(8))
    public static let keyLength = 32

    /// Derives the 32-byte sub-key for `purpose` from `dataKey`.
    public static func derive(from dataKey: SecureBytes, purpose: KeyPurpose) throws(CryptoError) -> SecureBytes {
        try Sodium.ready()
        guard dataKey.count == keyLength else { throw .invalidKeyLength(expected: keyLength, actual: dataKey.count) }
        let sub = try SecureBytes(count: keyLength)
        sub.withUnsafeMutableBytes { s in
            dataKey.withUnsafeBytes { k in
                _ = crypto_kdf_derive_from_key(
                    s.u8, keyLength, purpose.rawValue,
                    context, k.u8)
            }
        }
        return sub
    }
}
