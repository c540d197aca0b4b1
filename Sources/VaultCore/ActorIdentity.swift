/// Who made a change: the uid and user name of the process that asked for it, plus, for
/// requests over the sockets, its pid and executable.
public struct ActorIdentity: Hashable, Sendable, Codable {
    public var uid: UInt32
    public var user: String
    public var pid: Int32?
    public var exe: String?

    public init(uid: UInt32, user: String, pid: Int32? = nil, exe: String? = nil) {
        self.uid = uid
        self.user = user
        self.pid = pid
        self.exe = exe
    }

    /// `alice (uid 1000)`.
    public var display: String { "\(user) (uid \(uid))" }
}
