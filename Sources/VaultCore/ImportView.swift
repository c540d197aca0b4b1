/// The outcome of an import as the admin API answers it and `import --json` prints it.
public struct ImportView: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var authID: String
        public var kind: String
        public var version: Int64
        public var fingerprint: String

        public init(authID: String, kind: String, version: Int64, fingerprint: String) {
            self.authID = authID
            self.kind = kind
            self.version = version
            self.fingerprint = fingerprint
        }

        enum CodingKeys: String, CodingKey { case authID = "auth_id", kind, version, fingerprint }
    }

    public var imported: [Entry]
    public var unchanged: [Entry]
    /// Customers linked to the partner by this import.
    public var linked: [String]

    public init(imported: [Entry], unchanged: [Entry], linked: [String]) {
        self.imported = imported
        self.unchanged = unchanged
        self.linked = linked
    }

    public var text: String {
        var lines = imported.map { "imported \($0.authID) (\($0.kind), version \($0.version), fingerprint \($0.fingerprint))" }
        lines += unchanged.map { "unchanged \($0.authID): the same token is already active (version \($0.version))" }
        if !linked.isEmpty { lines.append("linked \(linked.count) existing customer(s) to the partner") }
        lines.append("\(imported.count) imported, \(unchanged.count) unchanged")
        return lines.joined(separator: "\n")
    }
}
