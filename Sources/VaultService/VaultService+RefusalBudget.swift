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
            switch refusalBudget.note(source: source, now: now) {
            case .audit:
                try? record(audit.refused(error))
                throw error
            case .count:
                throw error
            case .overCap:
                throw Refusal(.rateLimited, "too many refused requests from \(source); slow down")
            }
        }
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
