import CSodium
import Foundation

/// Non-secret random values (ids, nonces, salts). Secret random values use `SecureBytes.random`.
public enum Random {
    public static func data(count: Int) -> Data {
        precondition((try? Sodium.ready()) != nil, "libsodium unavailable")
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return Data(bytes)
    }
}
