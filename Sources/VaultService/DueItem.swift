import VaultCore

/// One credential due or overdue for rotation, as `due` lists it.
public struct DueItem: Sendable, Equatable {
    public let account: AccountInfo
    public let schedule: RotationSchedule
}
