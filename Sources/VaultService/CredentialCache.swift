import VaultCore
import VaultStore

/// Every account with its active version, held by the service for the request path so that
/// answering a request reads no database. Rebuilt from the store after any write.
struct CredentialCache: Sendable {
    var byID: [String: (AccountRecord, TokenVersionRecord?)] = [:]
    var partner: String?

    static func load(_ tx: StoreTransaction) throws -> CredentialCache {
        var c = CredentialCache()
        for a in try tx.accounts() {
            c.byID[a.authID] = (a, try tx.activeVersion(of: a.id!))
            if a.kind == .partner { c.partner = a.authID }
        }
        return c
    }
}
