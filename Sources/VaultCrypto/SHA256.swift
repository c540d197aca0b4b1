import CSodium
import Foundation

/// SHA-256 (for request body digests of sealed headers; not a MAC).
public enum SHA256 {
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { hash($0) }
    }

    public static func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        precondition((try? Sodium.ready()) != nil, "libsodium unavailable")
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&out, data.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(data.count))
        return out
    }
}
