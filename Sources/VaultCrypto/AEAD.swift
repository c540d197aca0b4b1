import CSodium
import Foundation

/// XChaCha20-Poly1305-IETF with associated data. A sealed value is `nonce(24) || ciphertext || tag(16)`;
/// every seal draws a fresh random nonce, which the 192-bit nonce space makes safe.
public enum AEAD {
    public static let keyLength = 32
    public static let nonceLength = 24
    public static let tagLength = 16

    /// Encrypts `plaintext` under `key`, binding it to `associatedData` (e.g. the row it belongs to).
    public static func seal(_ plaintext: SecureBytes, key: SecureBytes, associatedData: [UInt8]) throws(CryptoError) -> Data {
        try plaintext.withUnsafeBytes { (m) throws(CryptoError) in try seal(bytes: m, key: key, associatedData: associatedData) }
    }

    /// The same, from bytes the caller holds (and wipes): an import seals every token of its
    /// input straight from the parse buffer, without a locked copy of each.
    public static func seal(bytes m: UnsafeRawBufferPointer, key: SecureBytes, associatedData: [UInt8]) throws(CryptoError) -> Data {
        try Sodium.ready()
        try requireKey(key)
        var out = [UInt8](repeating: 0, count: nonceLength + m.count + tagLength)
        var written: UInt64 = 0
        out.withUnsafeMutableBufferPointer { o in
            let nonce = o.baseAddress!
            randombytes_buf(nonce, nonceLength)
            key.withUnsafeBytes { k in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    nonce + nonceLength, &written,
                    m.count == 0 ? nil : m.u8, UInt64(m.count),
                    associatedData, UInt64(associatedData.count),
                    nil, nonce, k.u8)
            }
        }
        return Data(out)
    }

    /// Decrypts a value made by `seal`. Fails with `.openFailed` when the key, the associated
    /// data or any byte of the blob differs.
    public static func open(_ sealed: Data, key: SecureBytes, associatedData: [UInt8]) throws(CryptoError) -> SecureBytes {
        try Sodium.ready()
        try requireKey(key)
        guard sealed.count >= nonceLength + tagLength else { throw .malformedCiphertext }
        let plain = try SecureBytes(count: sealed.count - nonceLength - tagLength)
        var plainLength: UInt64 = 0
        let status: Int32 = sealed.withUnsafeBytes { s in
            let base = s.u8
            return plain.withUnsafeMutableBytes { p in
                key.withUnsafeBytes { k in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        p.u8, &plainLength, nil,
                        base + nonceLength, UInt64(sealed.count - nonceLength),
                        associatedData, UInt64(associatedData.count),
                        base, k.u8)
                }
            }
        }
        guard status == 0, Int(plainLength) == plain.count else { throw .openFailed }
        return plain
    }

    static func requireKey(_ key: SecureBytes) throws(CryptoError) {
        guard key.count == keyLength else { throw .invalidKeyLength(expected: keyLength, actual: key.count) }
    }
}
