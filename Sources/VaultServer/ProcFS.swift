import Foundation
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// What `/proc/<pid>` says about a peer process.
enum ProcFS {
    /// `/proc/<pid>/exe`, or nil when the process is gone or hidden from us.
    static func exe(_ pid: Int32) -> String? {
        exeBytes(pid).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The link's bytes as the kernel gives them (a path need not be valid UTF-8).
    static func exeBytes(_ pid: Int32) -> [UInt8]? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/\(pid)/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return buf.prefix(n).map { UInt8(bitPattern: $0) }
    }

    /// Whether the link at `path` (`/proc/<pid>/exe`, NUL-terminated) names exactly `expected`
    /// (no allocation: this runs for every request).
    static func exe(at path: [CChar], equals expected: [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PATH_MAX) + 1) { buf in
            let n = readlink(path, buf.baseAddress!, buf.count - 1)
            guard n > 0, n == expected.count else { return false }
            return expected.withUnsafeBytes { memcmp(buf.baseAddress!, $0.baseAddress!, n) == 0 }
        }
    }

    /// Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot). The comm field
    /// may hold spaces and parentheses, so parsing starts after the last `)`.
    static func startTime(_ pid: Int32) -> UInt64? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is at index 19.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// Supplementary groups from the `Groups:` line of `/proc/<pid>/status`.
    static func groups(_ pid: Int32) -> [UInt32] {
        guard let text = read("/proc/\(pid)/status") else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("Groups:") {
            return line.dropFirst(7).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
        }
        return []
    }

    /// The systemd unit of the process: the last `*.service` (or `.scope`) element of its
    /// cgroup v2 path, e.g. `0::/system.slice/billing.service` → `billing.service`.
    static func unit(_ pid: Int32) -> String? {
        guard let text = read("/proc/\(pid)/cgroup") else { return nil }
        for line in text.split(separator: "\n") {
            let path = line.split(separator: ":", maxSplits: 2).last ?? ""
            // Units under a user's own systemd (user@UID.service) are named by that user and
            // prove nothing; only system units count.
            if path.contains("/user.slice/") || path.contains("user@") { return nil }
            if let u = path.split(separator: "/").last(where: { $0.hasSuffix(".service") || $0.hasSuffix(".scope") }) {
                return String(u)
            }
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            out.append(contentsOf: chunk.prefix(n))
            if out.count > 1 << 20 { break }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
