import Foundation
import VaultCore

extension VaultService {
    /// `audited`, for requests nobody vouches for (the TCP listener): every refusal (a signature
    /// that does not verify or is replayed, and the scope checks made before it) is budgeted per
    /// source. Anyone who can reach the port can send those as fast as it likes; each would
    /// otherwise cost an audit row.
    func budgeted(_ audit: inout RequestAudit, source: String,
                  _ body: (inout RequestAudit) throws(Refusal) -> ProxyTicket) throws(Refusal) -> ProxyTicket {
        do {
            let ticket = try body(&audit)
            try record(audit.allowed(mode: "sealed"))
            return ticket
        } catch {
            throw budgetedRefusal(error, audit: audit, source: source)
        }
    }

    /// A refusal of a request nobody vouches for, counted against its source's budget: audited
    /// while the budget lasts, counted after, and answered `rate_limited` past its cap.
    func budgetedRefusal(_ refusal: Refusal, audit: RequestAudit, source: String) -> Refusal {
        switch refusalBudget.note(source: source, now: now) {
        case .audit:
            try? record(audit.refused(refusal))
            return refusal
        case .count:
            return refusal
        case .overCap:
            return Refusal(.rateLimited, "too many refused requests from \(source); slow down")
        }
    }

    /// `budgetedRefusal` for a request refused before it reached the vault's checks (a
    /// connection to an `exec --proxy` listener from another uid, or without its stand-in).
    public func budgetedRefusal(_ refusal: Refusal, caller: Caller, method: String, path: String, source: String) -> Refusal {
        var audit = RequestAudit(caller: caller, operation: .proxy, method: method, requestID: RequestID.currentOrNew)
        audit.path = String(path.prefix(200))
        return budgetedRefusal(refusal, audit: audit, source: source)
    }

    /// One audit row per source for the refusals its interval counted; called by the daemon's
    /// audit timer, and with `all` at stop, so no count is lost. Returns how many refusals the
    /// rows summed up.
    @discardableResult
    public func writeRefusalSummaries(all: Bool = false) -> Int {
        var total = 0
        for s in refusalBudget.due(now: all ? Int64.max : now) {
            let caller = Caller(uid: UInt32.max, gid: UInt32.max, pid: 0, user: "tcp:" + s.source, groups: [], exe: nil, unit: nil, startTime: 0)
            let audit = RequestAudit(caller: caller, operation: .proxy, method: "*", requestID: "summary")
            let detail = "\(s.count) more requests from \(s.source) refused, from \(s.from) to \(min(s.to, now)) (one row for all)"
            try? record(audit.refused(Refusal(.signatureInvalid, detail)))
            total += s.count
        }
        return total
    }
}
