/// One row of the change sequence: what another host changed, for this host to re-read.
public struct StoreChange: Sendable, Equatable {
    public var seq: Int64
    public var host: String
    /// The account changed; nil when the change concerns the whole vault (keys, signing keys).
    public var authID: String?
}
