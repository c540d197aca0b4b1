/// Who is on the other end of a socket: from `SO_PEERCRED` and `/proc/<pid>` at accept.
public struct Caller: Hashable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// User name of `uid`, when it has one.
    public var user: String?
    /// Primary and supplementary groups.
    public var groups: [UInt32]
    /// `/proc/<pid>/exe` at accept.
    public var exe: String?
    /// The systemd unit the process runs in (from its cgroup), e.g. `billing.service`.
    public var unit: String?
    /// Process start time in clock ticks since boot (`/proc/<pid>/stat` field 22).
    public var startTime: UInt64
    /// Whether `exe` names the very file the process runs (same device and inode, seen from the
    /// daemon's namespaces); only then can an `exe` selector match.
    public var exeAttested: Bool
    /// Whether `unit` is the unit systemd gave the process, seen from the daemon's user namespace;
    /// only then can a `unit` selector match.
    public var unitAttested: Bool
    /// Why `exe` or `unit` is not attested, for refusals and audit rows.
    public var attestationNote: String?

    public init(uid: UInt32, gid: UInt32, pid: Int32, user: String?, groups: [UInt32], exe: String?, unit: String?, startTime: UInt64,
                exeAttested: Bool = true, unitAttested: Bool = true, attestationNote: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.user = user
        self.groups = groups
        self.exe = exe
        self.unit = unit
        self.startTime = startTime
        self.exeAttested = exeAttested
        self.unitAttested = unitAttested
        self.attestationNote = attestationNote
    }

    /// The executable an `exe` selector may match: nil unless attested.
    public var matchableExe: String? { exeAttested ? exe : nil }
    /// The unit a `unit` selector may match: nil unless attested.
    public var matchableUnit: String? { unitAttested ? unit : nil }

    public var identity: ActorIdentity { ActorIdentity(uid: uid, user: user ?? String(uid), pid: pid, exe: exe) }
}
