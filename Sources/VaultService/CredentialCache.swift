import VaultCore
import VaultStore

/// The credentials the request path has used, each with its active version and the previous
/// versions still sealed, so that a request reads no database once its credential is known.
/// Each is read from the store on its first use, alone: a request costs what its one
/// credential costs, however many the vault holds. Emptied after any write; never larger
/// than `capacity` entries, and auth ids the vault does not hold (which any client may send)
/// are remembered apart, so asking for them never pushes out a credential in use.
struct CredentialCache: Sendable {
    struct Entry: Sendable {
        var account: AccountRecord
        var active: TokenVersionRecord?
        /// Versions kept as `previous` (still sealed), newest first: callbacks signed with them
        /// verify until their grace ends.
        var previous: [TokenVersionRecord]
    }

    private var entries: [String: Entry] = [:]
    /// Auth ids asked for that the vault does not hold.
    private var absent: Set<String> = []
    /// The partner's auth id once read (`.some(nil)`: the vault holds none).
    private var partnerID: String??

    /// Enough for every credential a busy host uses at once; past it an entry chosen by the
    /// hash's order (as good as at random) makes room, which costs that credential one read.
    static let capacity = 16_384
    static let absentCapacity = 1_024

    var count: Int { entries.count }
    var absentCount: Int { absent.count }

    /// Whether `entry` (`authID` nil: `partner`) would answer without reading the store.
    func holds(_ authID: String?) -> Bool {
        guard let authID else { return partnerID != nil }
        return entries[authID] != nil || absent.contains(authID)
    }

    mutating func removeAll() {
        entries.removeAll()
        absent.removeAll()
        partnerID = nil
    }

    /// Forgets one credential (another host changed it): its next use reads it again.
    mutating func remove(_ authID: String) {
        entries[authID] = nil
        absent.remove(authID)
        partnerID = nil
    }

    mutating func entry(_ authID: String, store: any VaultStorage) throws -> Entry? {
        if let known = entries[authID] { return known }
        if absent.contains(authID) { return nil }
        let loaded: Entry? = try store.read { tx in
            guard let id = try? AuthID(authID), let a = try tx.account(id) else { return nil }
            let versions = try tx.versions(of: try a.storedID)
            return Entry(account: a, active: versions.first { $0.status == .active },
                         previous: versions.filter { $0.status == .previous && $0.ciphertext != nil })
        }
        guard let loaded else {
            if absent.count >= Self.absentCapacity { absent.removeAll(keepingCapacity: true) }
            absent.insert(authID)
            return nil
        }
        if entries.count >= Self.capacity { entries.remove(at: entries.startIndex) }
        entries[authID] = loaded
        return loaded
    }

    mutating func partner(store: any VaultStorage) throws -> String? {
        if let known = partnerID { return known }
        let p = try store.read { try $0.partner()?.authID }
        partnerID = .some(p)
        return p
    }
}
