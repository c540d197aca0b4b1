import VaultCore

/// Audit rows of requests waiting to be committed in a group, and whether the last commit
/// failed (then requests that would use a credential are refused: audit is fail-closed).
struct AuditQueue: Sendable {
    /// Bound on rows held while the disk refuses writes; beyond it new rows are refused and counted.
    static let limit = 100_000

    var pending: [QueuedAuditRow] = []
    /// Rows handed to the flusher and not yet committed (they go back in front on failure).
    var inFlight: [QueuedAuditRow] = []
    var failing = false
    /// A batch is being committed off the actor; it stays in `pending` until that succeeds.
    var flushing = false
    var lastError: String?
    var dropped = 0
    var committed = 0

    /// A full queue refuses new rows and marks the log failing (requests are then refused) —
    /// rows already queued are never dropped.
    mutating func append(_ e: QueuedAuditRow) {
        guard pending.count < Self.limit else {
            dropped += 1
            failing = true
            lastError = "audit queue full (\(Self.limit) rows waiting)"
            return
        }
        pending.append(e)
    }
}
