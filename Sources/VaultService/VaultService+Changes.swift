import VaultCore
import VaultStore

/// What other hosts of a fleet changed: each change names the credential it touched (or the
/// whole vault), and this host forgets what it cached of it, so its next use reads it again.
extension VaultService {
    public var followsChanges: Bool { store is PostgresStore }

    private var sharedHost: String? { (store as? PostgresStore)?.settings.host }

    /// Listens for the fleet's change notices (`PostgresStore.listenForChanges`).
    public func listenForChanges(_ onNotice: @escaping @Sendable () async -> Void) async throws {
        guard let shared = store as? PostgresStore else { return }
        try await shared.listenForChanges(onNotice)
    }

    /// Applies every change past the last one seen, a page at a time; answers how many.
    @discardableResult
    public func applyRemoteChanges() throws(ServiceError) -> Int {
        guard followsChanges else { return 0 }
        do {
            guard let from = changeSeq else {
                // The first look: whatever was cached before it may be older than any change.
                changeSeq = try store.read { try Self.fleetTransaction($0).lastChange() }
                credentialCache.removeAll()
                tokenCache.removeAll()
                return 0
            }
            var seen = from
            var applied = 0
            var vaultWide = false
            while true {
                let page = try store.read { try Self.fleetTransaction($0).changes(after: seen, limit: 1000) }
                for change in page {
                    if let id = change.authID {
                        credentialCache.remove(id)
                        tokenCache.remove(id)
                        if change.host != sharedHost { jwtSessions.forget(id) }
                    } else {
                        credentialCache.removeAll()
                        tokenCache.removeAll()
                        vaultWide = true
                    }
                }
                applied += page.count
                guard let last = page.last else { break }
                seen = last.seq
                changeSeq = seen
                if page.count < 1000 { break }
            }
            if vaultWide { try followDataKey() }
            return applied
        } catch { throw Self.map(error) }
    }
}
