/// The vault's rotation standing in a few numbers, for `/metrics`: how many credentials stand
/// where, and how soon the next one falls due. Bounded whatever the number of credentials;
/// which credentials those are is what `due` and `remind` say.
public struct RotationTally: Sendable, Equatable {
    public enum Standing: String, Sendable, CaseIterable {
        case ok, due, overdue
        /// Revoked or compromised: not in use, so never due.
        case revoked
    }

    public private(set) var counts: [Standing: Int] = [:]
    /// Seconds until the soonest due date among credentials in use (negative: one is overdue);
    /// nil when none is in use.
    public private(set) var nextDueSeconds: Int64?
    /// Credentials whose token Vobiz refused at its last use.
    public private(set) var rejected = 0

    public init() {}

    public mutating func add(_ input: RotationInput, defaults: RotationPolicy, now: Int64) {
        if input.rejected { rejected += 1 }
        guard input.state == .active else {
            counts[.revoked, default: 0] += 1
            return
        }
        guard let s = input.schedule(defaults: defaults, now: now) else { return }
        let standing: Standing = switch s.standing {
        case .ok: .ok
        case .due: .due
        case .overdue: .overdue
        }
        counts[standing, default: 0] += 1
        nextDueSeconds = min(nextDueSeconds ?? s.secondsUntilDue, s.secondsUntilDue)
    }

    public func count(_ s: Standing) -> Int { counts[s] ?? 0 }
}
