import CSodium
import Foundation

/// SHA-256 (for request body digests of sealed headers; not a MAC).
public enum SHA256 {
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        precondition((try? Sodium.ready()) != nil, "libsodium unavailable")
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&out, data, UInt64(data.count))
        return out
    }
}
