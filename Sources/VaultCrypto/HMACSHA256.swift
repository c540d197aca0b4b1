import CSodium
import Foundation

/// HMAC-SHA256 with a key of any length (Vobiz signs callbacks with the auth token itself).
public enum HMACSHA256 {
    public static let length = 32

    public static func mac(key: SecureBytes, message: [UInt8]) throws(CryptoError) -> Data {
        try Sodium.ready()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: length)
        key.withUnsafeBytes { k in
            _ = crypto_auth_hmacsha256_init(&state, k.u8, k.count)
        }
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &out)
        // The state holds key-derived pads; wipe it.
        withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress, $0.count) }
        return Data(out)
    }
}
