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

    /// Primary gid of a user.
    public static func primaryGID(of uid: UInt32) -> UInt32? {
        var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return pwd.pw_gid
    }
}
