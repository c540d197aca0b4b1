/// Where one credential stands against its rotation policy at a given moment.
public struct RotationSchedule: Hashable, Sendable {
    public enum Standing: String, Sendable, Codable {
        /// Not due within the window asked about.
        case ok
        /// Due within the window.
        case due
        /// Past its due date.
        case overdue
    }

    public let activatedAt: Int64
    public let dueAt: Int64
    public let standing: Standing
    /// Seconds until due (negative once overdue).
    public let secondsUntilDue: Int64

    /// - Parameters:
    ///   - activatedAt: Unix seconds when the active token version became active.
    ///   - window: how far ahead counts as due; nil means the policy's `warn`.
    public init(activatedAt: Int64, policy: RotationPolicy, now: Int64, window: TimeSpan? = nil) {
        self.activatedAt = activatedAt
        dueAt = activatedAt + policy.maxAge.seconds
        secondsUntilDue = dueAt - now
        let horizon = (window ?? policy.warn).seconds
        if secondsUntilDue <= 0 {
            standing = .overdue
        } else if secondsUntilDue <= horizon {
            standing = .due
        } else {
            standing = .ok
        }
    }

    /// Whole days until due, rounded up (due in 0.2 days reads "1 day"); 0 once overdue.
    public var daysUntilDue: Int64 { secondsUntilDue <= 0 ? 0 : (secondsUntilDue + 86_399) / 86_400 }
    /// Whole days past due, rounded down.
    public var daysOverdue: Int64 { secondsUntilDue >= 0 ? 0 : (-secondsUntilDue) / 86_400 }
}
