/// Vobiz answered 401 to a credential the vault attached: the token in the vault is no longer
/// the one Vobiz knows (rotated in the console, say). Recorded so it is noticed on first use.
public struct UpstreamRejection: Hashable, Sendable {
    /// When the 401 came (Unix seconds).
    public var at: Int64
    /// What was refused: `proxy`, `verify` (rotate --verify) or `jwt-login`.
    public var by: String

    public init(at: Int64, by: String) {
        self.at = at
        self.by = by
    }
}
