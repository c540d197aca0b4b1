import CSodium
import Foundation

/// Anonymous public-key encryption (libsodium's sealed box: X25519, XSalsa20-Poly1305), which
/// hands the data key to a joining host: `ephemeral public key(32) || ciphertext || tag(16)`.
/// The sender needs no key of its own, and the box says nothing about who sealed it, so the
/// fingerprint check at admission is what ties the box to the right host.
public enum SealedBox {
    /// Bytes a box adds to its plaintext.
    public static let overhead = Int(crypto_box_sealbytes())

    /// Seals `plaintext` so that only the holder of the secret half of `publicKey` opens it.
    public static func seal(_ plaintext: SecureBytes, to publicKey: [UInt8]) throws(CryptoError) -> Data {
        try Sodium.ready()
        guard publicKey.count == BoxKeyPair.publicKeyLength else { throw .slotKeyLength(actual: publicKey.count) }
        var out = [UInt8](repeating: 0, count: plaintext.count + overhead)
        // libsodium refuses a point whose shared secret comes out all zeros (zero and the other
        // small-order points); checking zero here too keeps the refusal if that ever changes.
        let zero = sodium_is_zero(publicKey, publicKey.count) == 1
        let status = zero ? -1 : plaintext.withUnsafeBytes { m in
            crypto_box_seal(&out, m.u8, UInt64(m.count), publicKey)
        }
        guard status == 0 else { throw .weakSlotKey }
        return Data(out)
    }

    /// Opens a box sealed to `keyPair.publicKey`. The plaintext is written by libsodium straight
    /// into locked memory.
    public static func open(_ sealed: Data, with keyPair: BoxKeyPair) throws(CryptoError) -> SecureBytes {
        try Sodium.ready()
        guard sealed.count >= overhead else { throw .sealedBoxOpenFailed }
        let plain = try SecureBytes(count: sealed.count - overhead)
        let status: Int32 = sealed.withUnsafeBytes { c in
            plain.withUnsafeMutableBytes { p in
                keyPair.secretKey.withUnsafeBytes { sk in
                    crypto_box_seal_open(p.u8, c.u8, UInt64(c.count), keyPair.publicKey, sk.u8)
                }
            }
        }
        guard status == 0 else { throw .sealedBoxOpenFailed }
        return plain
    }
}
