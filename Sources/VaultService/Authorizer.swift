import VaultCore

/// Which grant of the policy in force allows an operation, and each grant's rate per caller
/// uid. A reload (SIGHUP) replaces the policy and starts every rate afresh; a reload that fails
/// keeps the policy and says why (`reloadError`).
struct Authorizer {
    private(set) var policy: Policy
    private(set) var reloadError: String?
    private var buckets: [String: TokenBucket] = [:]

    init(policy: Policy) { self.policy = policy }

    mutating func reload(_ policy: Policy) {
        self.policy = policy
        buckets.removeAll()
        reloadError = nil
    }

    mutating func noteReload(error: String?) { reloadError = error }

    /// The grant that allows `request` for `caller`, one token of its rate taken; a path outside
    /// the partner and customer trees (`explicitPathsOnly`) needs a grant whose paths are
    /// written out. Refused: every grant's reasons, for the audit row, beside the refusal.
    mutating func grant(_ request: PolicyRequest, caller: Caller, explicitPathsOnly: Bool,
                        now: Double) -> Result<Grant, Denied> {
        let applicable = explicitPathsOnly ? Policy(grants: policy.grants.filter(\.pathsExplicit)) : policy
        let decision = applicable.decide(caller, request)
        guard let grant = decision.grant else { return .failure(.notGranted(reasons: Self.reasons(decision))) }
        guard let rate = grant.rate else { return .success(grant) }
        let key = "\(grant.name)|\(caller.uid)"
        var bucket = buckets[key] ?? TokenBucket(rate: rate, now: now)
        let ok = bucket.take(now: now)
        buckets[key] = bucket
        return ok ? .success(grant) : .failure(.rateLimited(grant: grant.name, rate: rate))
    }

    enum Denied: Error, Equatable {
        case notGranted(reasons: String)
        case rateLimited(grant: String, rate: Double)
    }

    static func reasons(_ d: Policy.Decision) -> String {
        if case .allowed(let g) = d {
            return "grant \(g.name) allows this only with an explicit path pattern (the path is outside the partner and customer trees)"
        }
        guard case .denied(let reasons) = d, !reasons.isEmpty else { return "no grant allows this (the policy has no grants)" }
        return "no grant allows this: " + reasons.map { "\($0.grant): \($0.reasons.joined(separator: "; "))" }.joined(separator: " | ")
    }
}
