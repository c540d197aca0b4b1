import Foundation
import VaultCore

extension VaultService {
    /// `audited`, for requests nobody vouches for (the TCP listener): a refusal for a signature
    /// that does not verify, or is replayed, is budgeted per source. Anyone who can reach the port
    /// can send those as fast as it likes; each would otherwise cost an audit row.
    func budgeted(_ audit: inout RequestAudit, source: String,
                  _ body: (inout RequestAudit) throws(Refusal) -> ProxyTicket) throws(Refusal) -> ProxyTicket {
        do {
            let ticket = try body(&audit)
            try record(audit.allowed(mode: "sealed"))
            return ticket
        } catch {
            guard error.type == .signatureInvalid || error.type == .replayed else {
                try? record(audit.refused(error))
                throw error
            }
            switch refusalBudget.note(source: source, now: now) {
            case .audit:
                try? record(audit.refused(error))
                throw error
            case .count:
                throw error
            case .overCap:
                throw Refusal(.rateLimited, "too many requests with signatures that do not verify from \(source); slow down")
            }
        }
    }

    /// One audit row per source for the refusals its interval counted; called by the daemon's
    /// audit timer. Returns how many refusals the rows summed up.
    @discardableResult
    public func writeRefusalSummaries() -> Int {
        var total = 0
        for s in refusalBudget.due(now: now) {
            let caller = Caller(uid: UInt32.max, gid: UInt32.max, pid: 0, user: "tcp:" + s.source, groups: [], exe: nil, unit: nil, startTime: 0)
            let audit = RequestAudit(caller: caller, operation: .proxy, method: "*", requestID: "summary")
            let detail = "\(s.count) more requests from \(s.source) refused for signatures that do not verify, from \(s.from) to \(s.to) (one row for all)"
            try? record(audit.refused(Refusal(.signatureInvalid, detail)))
            total += s.count
        }
        return total
    }
}
