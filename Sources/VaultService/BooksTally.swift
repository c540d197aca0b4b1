import VaultCore

/// What `VaultService.tally()` answers: the books in a few numbers, for `/metrics`.
public struct BooksTally: Sendable {
    public let byState: [AccountState: Int]
    public let rotation: RotationTally
    public let partner: AccountInfo?
}
