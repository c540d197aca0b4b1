import VaultCore
import VaultStore

/// The listings a script pages through (`list`, `due`) and the tally `/metrics` shows: each a
/// bounded page or one pass read by `LongReads`, off the vault's actor.
extension VaultService {
    /// The largest page a listing answers.
    public static let maxPage = 10_000

    /// Up to `limit` credentials after `after` in listing order (the partner first, then
    /// customers by auth id), and the cursor of the next page (nil: these are the last).
    public nonisolated func credentialsPage(after: AuthID?, limit: Int) async throws(ServiceError) -> (infos: [AccountInfo], next: AuthID?) {
        try await longReads.read { tx in
            var ids = try tx.accountIDs(after: after, limit: limit + 1)
            let more = ids.count > limit
            if more { ids.removeLast() }
            return (try tx.accountInfos(ids: ids), more ? ids.last : nil)
        }
    }

    /// Up to `limit` credentials due within `window` (nil: each one's warn period) or overdue,
    /// most urgent first, after `after`; and the cursor of the next page.
    public nonisolated func duePage(within window: TimeSpan?, after: DueSelection.Cursor?,
                                    limit: Int) async throws(ServiceError) -> (items: [DueItem], next: DueSelection.Cursor?) {
        let defaults = config.rotation.policy, now = clock.seconds
        return try await longReads.read { tx in
            // The store picks the page (and one more, to know whether more follow); the Core rule
            // decides again on those few.
            var selection = DueSelection(defaults: defaults, now: now, window: window, after: after, limit: limit)
            try tx.dueInputs(defaults: defaults, now: now, window: window, after: after, limit: limit + 1).forEach { selection.add($0) }
            let page = selection.finish()
            let infos = try tx.accountInfos(ids: page.authIDs.compactMap { try? AuthID($0) })
            let items = infos.compactMap { a in a.schedule(defaults: defaults, now: now, window: window).map { DueItem(account: a, schedule: $0) } }
            return (items, page.next)
        }
    }

    /// The books in a few numbers, whatever the vault holds: credentials by state and by
    /// rotation standing, the soonest due date, and the partner (its JWT session is per credential).
    public nonisolated func tally() async throws(ServiceError) -> BooksTally {
        let defaults = config.rotation.policy, now = clock.seconds
        return try await longReads.read { tx in
            var rotation = RotationTally()
            try tx.forEachRotationInput { rotation.add($0, defaults: defaults, now: now) }
            let partner = try tx.partner().flatMap { try? AuthID($0.authID) }
            return BooksTally(byState: try tx.accountCounts(), rotation: rotation,
                              partner: try partner.flatMap { try tx.accountInfos(only: $0).first })
        }
    }
}
