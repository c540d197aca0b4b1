/// One credential due or overdue for rotation, as the admin API answers it and `due --json`
/// prints it.
public struct DueView: Codable, Sendable, Equatable {
    public var authID: String
    public var kind: String
    public var label: String
    public var state: String
    public var standing: String
    public var dueAt: String
    public var secondsUntilDue: Int64
    public var daysUntilDue: Int64
    public var daysOverdue: Int64

    enum CodingKeys: String, CodingKey {
        case authID = "auth_id", kind, label, state, standing, dueAt = "due_at", secondsUntilDue = "seconds_until_due"
        case daysUntilDue = "days_until_due", daysOverdue = "days_overdue"
    }

    public init(_ account: AccountInfo, _ schedule: RotationSchedule) {
        authID = account.authID.rawValue
        kind = account.kind.rawValue
        label = account.label
        state = account.state.rawValue
        standing = schedule.standing.rawValue
        dueAt = Timestamp.iso(schedule.dueAt)
        secondsUntilDue = schedule.secondsUntilDue
        daysUntilDue = schedule.daysUntilDue
        daysOverdue = schedule.daysOverdue
    }
}
