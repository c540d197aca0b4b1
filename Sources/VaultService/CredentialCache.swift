import VaultCore
import VaultStore

/// The credentials the request path has used, each with its active version and the previous
/// versions still sealed, so that a request reads no database once its credential is known.
/// Each is read from the store on its first use, alone: a request costs what its one
/// credential costs, however many the vault holds. Emptied after any write; never larger
/// than `capacity` entries.
struct CredentialCache: Sendable {
    struct Entry: Sendable {
        var account: AccountRecord
        var active: TokenVersionRecord?
        /// Versions kept as `previous` (still sealed), newest first: callbacks signed with them
        /// verify until their grace ends.
        var previous: [TokenVersionRecord]
    }

    /// Entries, including credentials the vault does not hold (nil), which a caller may ask
    /// for as often as for those it does.
    private var entries: [String: Entry?] = [:]
    /// The partner's auth id once read (`.some(nil)`: the vault holds none).
    private var partnerID: String??

    /// Enough for every credential a busy host uses at once; past it the cache starts over,
    /// which costs each credential one read again.
    static let capacity = 16_384

    var count: Int { entries.count }

    mutating func removeAll() {
        entries.removeAll()
        partnerID = nil
    }

    mutating func entry(_ authID: String, store: any VaultStorage) throws -> Entry? {
        if let known = entries[authID] { return known }
        let loaded: Entry? = try store.read { tx in
            guard let id = try? AuthID(authID), let a = try tx.account(id) else { return nil }
            let versions = try tx.versions(of: try a.storedID)
            return Entry(account: a, active: versions.first { $0.status == .active },
                         previous: versions.filter { $0.status == .previous && $0.ciphertext != nil })
        }
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[authID] = .some(loaded)
        return loaded
    }

    mutating func partner(store: any VaultStorage) throws -> String? {
        if let known = partnerID { return known }
        let p = try store.read { try $0.partner()?.authID }
        partnerID = .some(p)
        return p
    }
}
