/// What `/proc/<pid>/status` says about a process that `vobiz-vault exec --proxy` claims to have
/// started: its parent and its four uids.
public struct ProcessStatus: Equatable, Sendable {
    public var parent: Int32
    /// Real, effective, saved and file-system uid.
    public var uids: [UInt32]

    /// Reads the `PPid:` and `Uid:` lines; nil when either is missing or malformed.
    public init?(statusFile text: String) {
        var parent: Int32?, uids: [UInt32]?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("PPid:") {
                parent = Int32(line.dropFirst(5).trimmingCharacters(in: " \t"))
            } else if line.hasPrefix("Uid:") {
                let fields = line.dropFirst(4).split(whereSeparator: { $0 == " " || $0 == "\t" })
                let parsed = fields.compactMap { UInt32($0) }
                uids = parsed.count == 4 && fields.count == 4 ? parsed : nil
            }
        }
        guard let parent, let uids else { return nil }
        self.parent = parent
        self.uids = uids
    }

    public init(parent: Int32, uids: [UInt32]) {
        self.parent = parent
        self.uids = uids
    }

    /// Why this process is not a child that `opener` (pid and uid) started as itself, or nil
    /// when it is: a process of another parent, or one running as another user (a set-uid
    /// program), is not the program the session was opened for.
    public func problemAsChild(ofPID opener: Int32, uid: UInt32) -> String? {
        if parent != opener { return "process is not a child of the caller (its parent is \(parent), the caller is \(opener))" }
        if uids.contains(where: { $0 != uid }) { return "process does not run as the caller's uid \(uid) alone (uids \(uids.map(String.init).joined(separator: " ")))" }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
