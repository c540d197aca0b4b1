import VaultCore
import VaultStore

/// Every account with its active version, held by the service for the request path so that
/// answering a request reads no database. Rebuilt from the store after any write.
struct CredentialCache: Sendable {
    var byID: [String: (AccountRecord, TokenVersionRecord?)] = [:]
    var partner: String?
    /// Versions kept as `previous` (still sealed), newest first: callbacks signed with them
    /// verify until their grace ends.
    var previous: [String: [TokenVersionRecord]] = [:]

    static func load(_ tx: any StoreTransaction) throws -> CredentialCache {
        var c = CredentialCache()
        for a in try tx.accounts() {
            c.byID[a.authID] = (a, try tx.activeVersion(of: try a.storedID))
            let kept = try tx.versions(of: try a.storedID).filter { $0.status == .previous && $0.ciphertext != nil }
            if !kept.isEmpty { c.previous[a.authID] = kept }
            if a.kind == .partner { c.partner = a.authID }
        }
        return c
    }
}
