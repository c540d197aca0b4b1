import VaultStore

/// One read of a shared store's change sequence, made off the service's actor.
public struct ChangeRead: Sendable {
    public enum Found: Sendable {
        /// The first look: the last change's sequence number.
        case baseline(Int64)
        /// The changes past the last one applied, ascending.
        case changes([StoreChange])
    }

    let store: any VaultStorage
    let after: Int64?

    /// Pages of 1000 changes until the end: blocks on the store.
    public func fetch() throws(ServiceError) -> Found {
        do {
            guard var seen = after else { return .baseline(try store.read { try VaultService.fleetTransaction($0).lastChange() }) }
            var all: [StoreChange] = []
            while true {
                let page = try store.read { try VaultService.fleetTransaction($0).changes(after: seen, limit: 1000) }
                all += page
                guard let last = page.last, page.count == 1000 else { break }
                seen = last.seq
            }
            return .changes(all)
        } catch { throw VaultService.map(error) }
    }
}
