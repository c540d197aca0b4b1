import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The two pieces of systemd's protocol the daemon needs, by hand (no package does them):
/// socket activation (`LISTEN_FDS`) and `sd_notify`.
enum Systemd {
    /// Sockets passed by systemd, by `FileDescriptorName=` (`client`, `admin`); unnamed ones
    /// are taken in that order.
    static func listenFDs(_ env: [String: String]) -> [String: Int32] {
        guard let pid = env["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
              let count = env["LISTEN_FDS"].flatMap(Int.init), count > 0 else { return [:] }
        let names = env["LISTEN_FDNAMES"]?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
        var out: [String: Int32] = [:]
        let defaults = ["client", "admin"]
        for i in 0..<count {
            let fd = Int32(3 + i)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let name = i < names.count && !names[i].isEmpty && names[i] != "unknown" ? names[i] : (i < defaults.count ? defaults[i] : "fd\(fd)")
            out[name] = fd
        }
        return out
    }

    /// Sends `state` to `$NOTIFY_SOCKET` (no-op when not run by systemd).
    static func notify(_ state: String, env: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = env["NOTIFY_SOCKET"], !path.isEmpty else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        _ = state.withCString { msg in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, msg, strlen(msg), 0, $0, length) }
            }
        }
    }

    /// Half the watchdog interval, when systemd asked for pings.
    static func watchdogInterval(_ env: [String: String]) -> Duration? {
        guard let usec = env["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 else { return nil }
        if let pid = env["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() { return nil }
        return .microseconds(Int64(usec / 2))
    }
}
