import Foundation
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

extension ActorIdentity {
    /// The user running this process, by real uid (what `sudo -u` or the login shell set).
    public static func current() -> ActorIdentity {
        let uid = getuid()
        return ActorIdentity(uid: uid, user: SystemUsers.name(of: uid) ?? String(uid), pid: getpid())
    }
}
