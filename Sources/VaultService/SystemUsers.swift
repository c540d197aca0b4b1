import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// User and group lookups in the system databases (NSS).
public enum SystemUsers {
    public static func uid(of user: String) -> UInt32? {
        var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(user, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return pwd.pw_uid
    }

    public static func gid(of group: String) -> UInt32? {
        var grp = Glibc.group(), result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 8192)
        guard getgrnam_r(group, &grp, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return grp.gr_gid
    }

    /// The user name of a uid, when it has one.
    public static func name(of uid: UInt32) -> String? {
        var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else { return nil }
        return String(cString: name)
    }

    /// A user's supplementary groups, as the kernel would give its processes (none when the
    /// uid has no passwd entry).
    public static func groups(of uid: UInt32) -> [UInt32] {
        var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else { return [] }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: 64)
        guard getgrouplist(name, pwd.pw_gid, &list, &count) >= 0 else { return [] }
        return Array(list.prefix(Int(count)))
    }

    /// The caller `policy check` describes: a process of `uid` (with its groups) running `exe`
    /// in `unit`.
    public static func caller(uid: UInt32, gid: UInt32?, exe: String?, unit: String?) -> Caller {
        Caller(uid: uid, gid: gid ?? primaryGID(of: uid) ?? uid, pid: 0, user: nil, groups: groups(of: uid), exe: exe, unit: unit, startTime: 0)
    }

    /// Primary gid of a user.
    public static func primaryGID(of uid: UInt32) -> UInt32? {
        var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return pwd.pw_gid
    }
}
