import VaultCore

/// What `import` did, for the operator and for `--json`.
public struct ImportSummary: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let authID: AuthID
        public let kind: CredentialKind
        public let version: Int64
        public let fingerprint: String
    }

    public var imported: [Entry] = []
    public var unchanged: [Entry] = []
    /// Customers linked to the partner by this import.
    public var linked: [AuthID] = []
}
