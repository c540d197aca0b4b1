import Foundation
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

extension ActorIdentity {
    /// The user running this process, by real uid (what `sudo -u` or the login shell set).
    public static func current() -> ActorIdentity {
        let uid = getuid()
        return ActorIdentity(uid: uid, user: userName(uid) ?? String(uid), pid: getpid())
    }

    static func userName(_ uid: uid_t) -> String? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else { return nil }
        return String(cString: name)
    }
}
