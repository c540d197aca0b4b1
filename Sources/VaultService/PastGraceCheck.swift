import VaultStore

/// One look for versions past their grace (`VaultService.pastGraceCheck`), made off the actor.
public struct PastGraceCheck: Sendable {
    let store: any VaultStorage
    let now: Int64

    public func anyDue() throws(ServiceError) -> Bool {
        do { return try store.read { try $0.versionsPastGrace(now: now) }.count > 0 } catch { throw VaultService.map(error) }
    }
}
