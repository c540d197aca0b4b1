/// What the daemon can vouch for about a peer process beyond its uid and gid: the executable it
/// runs and the systemd unit it is in. A path or a cgroup name is text the caller's own
/// namespaces can shape, so each is checked against what the daemon itself sees.
struct CallerAttestation {
    /// `/proc/<pid>/exe` as the link reads (the caller's mount namespace's view).
    var exeBytes: [UInt8]?
    /// The image the process runs, nil where the daemon may not look.
    var exeIdentity: FileIdentity?
    var exeAttested = false
    var unitAttested = true
    var note: String?

    /// The daemon's own user and mount namespaces, read once.
    static let ownUserNamespace = ProcFS.namespace(getpidSelf, "user")
    static let ownMountNamespace = ProcFS.namespace(getpidSelf, "mnt")
    static let ownIDMaps = ProcFS.idMaps(getpidSelf)
    private static let getpidSelf = ProcFS.selfPID

    static func of(pid: Int32) -> CallerAttestation {
        var a = CallerAttestation()
        a.exeBytes = ProcFS.exeBytes(pid)
        a.exeIdentity = ProcFS.identity("/proc/\(pid)/exe")
        if let why = foreignUserNamespace(pid) {
            // An unprivileged user can make a user namespace, and in it mount namespaces and
            // cgroup subtrees of its own: neither its paths nor its unit mean anything here.
            a.unitAttested = false
            a.note = why
            return a
        }
        guard let link = a.exeBytes, let running = a.exeIdentity else {
            a.note = "the daemon may not read the caller's /proc/\(pid)/exe"
            return a
        }
        guard let theirs = ProcFS.namespace(pid, "mnt"), theirs == ownMountNamespace else {
            a.note = "the caller runs in another mount namespace, where paths name other files"
            return a
        }
        let path = String(decoding: link, as: UTF8.self)
        guard ProcFS.identity(path) == running else {
            a.note = "the program the caller runs is not the file at \(path) (replaced, deleted or mounted over)"
            return a
        }
        a.exeAttested = true
        return a
    }

    /// Why the process's user namespace is not the daemon's, or nil when it is.
    static func foreignUserNamespace(_ pid: Int32) -> String? {
        let why = "the caller runs in another user namespace"
        if let own = ownUserNamespace, let theirs = ProcFS.namespace(pid, "user") {
            return own == theirs ? nil : why
        }
        // The namespace link is hidden from a daemon that may not trace the caller; the id maps
        // are not, and a namespace an unprivileged user made never has the daemon's maps.
        guard let own = ownIDMaps, let theirs = ProcFS.idMaps(pid) else { return why }
        return own == theirs ? nil : why
    }
}
