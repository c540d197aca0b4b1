import VaultCore
import VaultCrypto

/// Opened tokens of revealed grants and proxied calls, kept in locked memory briefly so that a
/// burst of requests opens each once (`sodium_malloc` costs page mappings). A token leaves
/// (and is zeroed) `seconds` after its last use, and every token leaves on any write to the
/// vault, which may have changed it.
struct TokenCache {
    static let seconds: Int64 = 30

    struct Key: Hashable {
        let authID: String
        let version: Int64
    }

    private var entries: [Key: (token: SecureBytes, lastUse: Int64)] = [:]

    var count: Int { entries.count }

    /// The token of `authID` at `version`: from the cache, or from `open`, then kept.
    mutating func token(_ authID: AuthID, version: Int64, now: Int64,
                        open: () throws(Refusal) -> SecureBytes) throws(Refusal) -> SecureBytes {
        let key = Key(authID: authID.rawValue, version: version)
        if let hit = entries[key] {
            entries[key] = (hit.token, now)
            return hit.token
        }
        let token = try open()
        entries[key] = (token, now)
        return token
    }

    /// Releases the tokens unused for `seconds`.
    mutating func evict(now: Int64) {
        let cutoff = now - Self.seconds
        entries = entries.filter { $0.value.lastUse > cutoff }
    }

    mutating func removeAll() { entries.removeAll() }

    mutating func remove(_ authID: String) { entries = entries.filter { $0.key.authID != authID } }
}
