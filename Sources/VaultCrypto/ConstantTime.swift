import CSodium
import Foundation

/// Comparisons whose timing does not depend on where two values first differ.
public enum ConstantTime {
    /// Equal length and equal bytes; only the lengths may leak through timing.
    public static func equals(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in sodium_memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 }
        }
    }
}
