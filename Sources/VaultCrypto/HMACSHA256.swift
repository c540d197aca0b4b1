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

extension HMACSHA256 {
    /// HMAC-SHA256 with the key schedule computed once (the key's inner and outer pads are
    /// hashed at init), for MACing many messages under one key: the daemon MACs every audit row.
    public final class Keyed: @unchecked Sendable {
        // @unchecked: `state` is never mutated after init; each MAC works on a copy.
        private let state: UnsafeMutablePointer<crypto_auth_hmacsha256_state>

        public init(key: SecureBytes) throws(CryptoError) {
            try Sodium.ready()
            // Key-derived pads live in locked memory and are zeroed on release.
            guard let p = sodium_malloc(MemoryLayout<crypto_auth_hmacsha256_state>.size) else {
                throw .secureAllocationFailed(bytes: MemoryLayout<crypto_auth_hmacsha256_state>.size)
            }
            state = p.bindMemory(to: crypto_auth_hmacsha256_state.self, capacity: 1)
            key.withUnsafeBytes { k in _ = crypto_auth_hmacsha256_init(state, k.u8, k.count) }
        }

        deinit { sodium_free(state) }

        public func mac(_ message: [UInt8]) -> Data {
            var copy = state.pointee
            var out = [UInt8](repeating: 0, count: HMACSHA256.length)
            _ = crypto_auth_hmacsha256_update(&copy, message, UInt64(message.count))
            _ = crypto_auth_hmacsha256_final(&copy, &out)
            withUnsafeMutableBytes(of: &copy) { sodium_memzero($0.baseAddress, $0.count) }
            return Data(out)
        }
    }
}
