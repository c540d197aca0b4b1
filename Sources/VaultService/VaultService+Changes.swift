import VaultCore
import VaultStore

/// What other hosts of a fleet changed: each change names the credential it touched (or the
/// whole vault), and this host forgets what it cached of it, so its next use reads it again.
///
/// The changes are read off the actor (`ChangeRead.fetch`, on a thread of the caller's) and
/// applied on it: a store that has gone silent holds that thread, never the requests.
extension VaultService {
    public var followsChanges: Bool { sharedStore != nil }

    private var sharedHost: String? { sharedStore?.settings.host }

    /// Listens for the fleet's change notices (`PostgresStore.listenForChanges`).
    public func listenForChanges(_ onNotice: @escaping @Sendable () async -> Void) async throws {
        guard let shared = sharedStore else { return }
        try await shared.listenForChanges(onNotice)
    }

    /// The next read of the fleet's changes: everything past the last one applied, or, at the
    /// first look, where the sequence stands. nil when the store is this host's own.
    public func changeRead() -> ChangeRead? {
        guard followsChanges else { return nil }
        return ChangeRead(store: store, after: changeSeq)
    }

    /// Applies what `read` found: forgets the cached credentials, tokens and sessions the changes
    /// name (everything, at the first look), and follows a new data key. Answers how many changes.
    @discardableResult
    public func applyRemoteChanges(_ found: ChangeRead.Found) throws(ServiceError) -> Int {
        switch found {
        case .baseline(let seq):
            // The first look: whatever was cached before it may be older than any change.
            changeSeq = max(changeSeq ?? 0, seq)
            credentialCache.removeAll()
            tokenCache.removeAll()
            return 0
        case .changes(let changes):
            var vaultWide = false
            for change in changes where change.seq > (changeSeq ?? 0) {
                if let id = change.authID {
                    credentialCache.remove(id)
                    tokenCache.remove(id)
                    if change.host != sharedHost { jwtSessions.forget(id) }
                } else {
                    credentialCache.removeAll()
                    tokenCache.removeAll()
                    vaultWide = true
                }
                changeSeq = change.seq
            }
            if vaultWide { try followDataKey() }
            return changes.count
        }
    }

    /// Reads and applies the changes here, on the actor: for commands and tests, which hold no
    /// thread of their own for it.
    @discardableResult
    public func applyRemoteChanges() throws(ServiceError) -> Int {
        guard let read = changeRead() else { return 0 }
        return try applyRemoteChanges(try read.fetch())
    }
}
