import Foundation
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// What `/proc/<pid>` says about a peer process.
enum ProcFS {
    static let selfPID = Int32(getpid())

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

    /// The unit systemd put the process in, as `sd_pid_get_unit` finds it: the first unit element
    /// below the slices of its cgroup path (`/system.slice/billing.service/…` → `billing.service`).
    /// A deeper element is a delegated subtree or a container, named by whoever runs it, so it
    /// proves nothing. Units of users' own managers (`user.slice`, `user@UID.service`) count as
    /// none. The path comes from the `name=systemd` hierarchy where there is one (cgroup v1 and
    /// hybrid), else from the unified one (`0::`); when both name a unit and differ, none counts.
    static func unit(_ pid: Int32) -> String? {
        guard let text = read("/proc/\(pid)/cgroup") else { return nil }
        return unit(cgroupFile: text)
    }

    static func unit(cgroupFile text: String) -> String? {
        var legacy: Substring?, unified: Substring?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1] == "name=systemd" { legacy = parts[2] } else if parts[0] == "0" && parts[1].isEmpty { unified = parts[2] }
        }
        let units = [legacy, unified].compactMap { $0.flatMap(unit(cgroupPath:)) }
        guard let first = units.first, units.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    static func unit(cgroupPath path: Substring) -> String? {
        for element in path.split(separator: "/") {
            if element.hasSuffix(".slice") {
                if element == "user.slice" { return nil }
                continue
            }
            guard element.hasSuffix(".service") || element.hasSuffix(".scope") else { return nil }
            return element.hasPrefix("user@") ? nil : String(element)
        }
        return nil
    }

    /// Device and inode of the file a path leads to (links followed): `/proc/<pid>/exe` leads to
    /// the image the process runs, whatever path text its mount namespace shows.
    static func identity(_ path: UnsafePointer<CChar>) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// `/proc/<pid>/ns/<kind>` (`user:[4026531837]`), or nil where the daemon may not look.
    static func namespace(_ pid: Int32, _ kind: String) -> String? {
        var buf = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/\(pid)/ns/\(kind)", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The uid and gid maps, readable by anyone: they differ from the daemon's for a process in
    /// a user namespace an unprivileged user made (its map covers only that user's ids).
    static func idMaps(_ pid: Int32) -> String? {
        guard let u = read("/proc/\(pid)/uid_map"), let g = read("/proc/\(pid)/gid_map") else { return nil }
        return u + "|" + g
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
