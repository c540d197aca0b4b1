#if canImport(Glibc)
import Glibc
#endif

/// The daemon holds up to `[limits] max_connections` sockets; the default soft limit of
/// open files (often 1024) would refuse connections before the configured limit does.
enum RaiseFileLimit {
    static func toHard() {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < lim.rlim_max else { return }
        lim.rlim_cur = lim.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
    }
}
