/// The outcome of `capture` as the admin API answers it and `capture --json` prints it: the new
/// customer, and the create-account answer with its token replaced by `vaulted:<fingerprint>`.
public struct CaptureView: Codable, Sendable, Equatable {
    public var authID: String
    public var version: Int64
    public var fingerprint: String
    public var answer: String

    public init(authID: String, version: Int64, fingerprint: String, answer: String) {
        self.authID = authID
        self.version = version
        self.fingerprint = fingerprint
        self.answer = answer
    }

    enum CodingKeys: String, CodingKey { case authID = "auth_id", version, fingerprint, answer }
}
