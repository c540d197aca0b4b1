/// The outcome of `rotate` or `rollback` as the admin API answers it and `--json` prints it.
public struct RotationView: Codable, Sendable, Equatable {
    public var authID: String
    public var version: Int64
    public var fingerprint: String
    /// The version kept as `previous`; null when the old one was destroyed at once.
    public var previousVersion: Int64?
    public var previousDestroyAfter: String?

    public init(authID: String, version: Int64, fingerprint: String, previousVersion: Int64?, previousDestroyAfter: String?) {
        self.authID = authID
        self.version = version
        self.fingerprint = fingerprint
        self.previousVersion = previousVersion
        self.previousDestroyAfter = previousDestroyAfter
    }

    enum CodingKeys: String, CodingKey {
        case authID = "auth_id", version, fingerprint, previousVersion = "previous_version", previousDestroyAfter = "previous_destroy_after"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(authID, forKey: .authID)
        try c.encode(version, forKey: .version)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(previousVersion, forKey: .previousVersion)
        try c.encode(previousDestroyAfter, forKey: .previousDestroyAfter)
    }

    /// The line text output prints, `verb` being `rotated` or `rolled back`.
    public func text(verb: String) -> String {
        var s = "\(verb) \(authID): version \(version) active (fingerprint \(fingerprint))"
        if let p = previousVersion, let d = previousDestroyAfter {
            s += "; version \(p) kept as previous until \(d)"
        } else {
            s += "; the old version was destroyed"
        }
        return s
    }
}
