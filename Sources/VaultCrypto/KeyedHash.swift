import CSodium
import Foundation

/// Keyed BLAKE2b, used for token fingerprints: stable for a token within a vault, useless
/// for guessing the token without the vault's fingerprint key.
public enum KeyedHash {
    public static func blake2b(_ input: SecureBytes, key: SecureBytes, length: Int = 32) throws(CryptoError) -> Data {
        try input.withUnsafeBytes { (i) throws(CryptoError) in try blake2b(bytes: i, key: key, length: length) }
    }

    public static func blake2b(bytes i: UnsafeRawBufferPointer, key: SecureBytes, length: Int = 32) throws(CryptoError) -> Data {
        try Sodium.ready()
        guard key.count >= Int(crypto_generichash_keybytes_min()), key.count <= Int(crypto_generichash_keybytes_max()) else {
            throw .invalidKeyLength(expected: 32, actual: key.count)
        }
        var out = [UInt8](repeating: 0, count: length)
        key.withUnsafeBytes { k in
            _ = crypto_generichash(&out, length, i.count == 0 ? nil : i.u8, UInt64(i.count), k.u8, k.count)
        }
        return Data(out)
    }
}
