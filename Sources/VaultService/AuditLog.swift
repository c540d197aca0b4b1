import VaultCore
import VaultStore

/// The audit log of requests: rows queued on the request path, committed in groups, and the
/// fail-closed state. While a commit fails, every request that would use a credential is
/// refused (`requireWritable`); rows already queued are never dropped, and a full queue
/// refuses new ones. The vault's actor owns one; it depends only on the store it commits to
/// and the key that MACs the chain, both passed in.
struct AuditLog {
    /// Bound on rows held while the disk refuses writes; beyond it new rows are refused and counted.
    static let limit = 100_000

    let durability: VaultConfig.Durability
    private(set) var pending: [QueuedAuditRow] = []
    /// Rows handed to the flusher and not yet committed (they go back in front on failure).
    private var inFlight: [QueuedAuditRow] = []
    private(set) var failing = false
    /// The failure is the shared store out of reach (refusals say `store_unavailable`).
    private(set) var storeUnavailable = false
    /// A batch is being committed off the actor; its rows are in `inFlight` until it reports.
    private(set) var flushing = false
    private var lastError: String?
    private var dropped = 0
    private var committed = 0
    /// On a shared store, a commit that has not answered for this long is taken as the store
    /// out of reach (a hung server, a network that drops packets without a word): requests are
    /// refused meanwhile, as when a commit fails. nil for a local store.
    let stallMillis: Int64?
    private var flushStartedAt: Int64 = 0

    init(durability: VaultConfig.Durability, stallMillis: Int64? = nil) {
        self.durability = durability
        self.stallMillis = stallMillis
    }

    /// Queues the row of a request. With `durability = sync` it is committed before the answer
    /// goes out, and a failed commit refuses the request (and takes its row back out: an
    /// "allowed" row must not be written for a refused request).
    mutating func record(_ row: QueuedAuditRow, store: any VaultStorage, key: AuditKey?) throws(Refusal) {
        let before = pending.count
        append(row)
        guard durability == .sync else { return }
        guard flush(store: store, key: key) else {
            if pending.count > before { pending.removeLast() }
            throw refusal
        }
    }

    /// Commits every queued row in one transaction. On failure the rows stay queued, the log is
    /// failing, and the next flush tries again.
    @discardableResult
    mutating func flush(store: any VaultStorage, key: AuditKey?) -> Bool {
        guard !flushing, !pending.isEmpty, let key else { return !failing }
        let batch = pending
        do {
            try store.write { tx in try tx.appendAudit(batch.map(\.event), using: key) }
            pending.removeFirst(min(batch.count, pending.count))
            succeeded(batch.count)
            return true
        } catch {
            failed(AuditBatch.Failure(error))
            return false
        }
    }

    /// Hands the queued rows to a committer off the actor; they come back through `finish`.
    mutating func takeBatch(store: any VaultStorage, key: AuditKey?, nowMillis: Int64) -> AuditBatch? {
        guard !flushing, !pending.isEmpty, let key else { return nil }
        flushing = true
        flushStartedAt = nowMillis
        // Hand the array over whole, so rows queued meanwhile do not copy it.
        let batch = pending
        pending = []
        inFlight = batch
        return AuditBatch(events: batch, store: store, key: key)
    }

    /// The outcome of committing a batch from `takeBatch`: on failure its rows go back in front.
    mutating func finish(_ batch: AuditBatch, error: AuditBatch.Failure?) {
        flushing = false
        let sent = inFlight
        inFlight = []
        guard let error else { return succeeded(batch.events.count) }
        pending = sent + pending
        failed(error)
    }

    /// Refuses a request that would use a credential while rows cannot be committed, or while
    /// a commit to a shared store has stalled.
    func requireWritable(nowMillis: Int64) throws(Refusal) {
        guard !failing else { throw refusal }
        if stalled(nowMillis: nowMillis) { throw Self.unavailable }
    }

    func stalled(nowMillis: Int64) -> Bool {
        guard flushing, let stallMillis else { return false }
        return nowMillis - flushStartedAt >= stallMillis
    }

    var refusal: Refusal { storeUnavailable ? Self.unavailable : Self.refusal }

    static let unavailable = Refusal(.storeUnavailable,
                                     "the fleet's PostgreSQL store cannot be reached; requests are refused until it can (retry shortly)")

    var status: (pending: Int, failing: Bool, lastError: String?, dropped: Int, committed: Int) {
        (pending.count + inFlight.count, failing, lastError, dropped, committed)
    }

    static let refusal = Refusal(.internal, "the audit log cannot be written; requests are refused until it can")

    /// A full queue refuses new rows and marks the log failing — rows already queued stay.
    private mutating func append(_ row: QueuedAuditRow) {
        guard pending.count < Self.limit else {
            dropped += 1
            failed(AuditBatch.Failure(text: "audit queue full (\(Self.limit) rows waiting)", unavailable: storeUnavailable))
            return
        }
        pending.append(row)
    }

    private mutating func succeeded(_ rows: Int) {
        committed += rows
        failing = false
        storeUnavailable = false
        lastError = nil
    }

    private mutating func failed(_ why: AuditBatch.Failure) {
        failing = true
        storeUnavailable = why.unavailable
        lastError = why.text
    }
}
