import Foundation
import Logging
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's log: one line per event on standard error, as `[log] format` says — `text`
/// (`2026-12-05T04:39:00Z info message key=value …`) or `json` (one object per line, keys
/// sorted) — from `[log] level` up. Under systemd (`$JOURNAL_STREAM` set) each line starts with
/// its syslog priority (`<3>` error … `<7>` debug), which journald reads as the line's
/// priority, so `journalctl -p warning` works; the timestamp is left to journald.
public struct LogLineHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let json: Bool
    let journald: Bool
    let write: @Sendable (String) -> Void

    public init(level: Logger.Level, json: Bool, journald: Bool, write: @escaping @Sendable (String) -> Void = LogLineHandler.standardError) {
        logLevel = level
        self.json = json
        self.journald = journald
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Timestamp.iso(Int64(Date().timeIntervalSince1970))
        var line = journald ? "<\(Self.priority(event.level))>" : ""
        if json {
            var members = ["\"level\":\(JSONText.quoted(event.level.rawValue))", "\"message\":\(JSONText.quoted("\(event.message)"))"]
            if !journald { members.append("\"time\":\(JSONText.quoted(time))") }
            if !fields.isEmpty {
                let inner = fields.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted("\(fields[$0]!)"))" }
                members.append("\"metadata\":{\(inner.joined(separator: ","))}")
            }
            line += "{" + members.sorted().joined(separator: ",") + "}"
        } else {
            // One event, one line: a control character in a value (a newline, which journald
            // would read as a new entry with a priority of its own) is written escaped.
            line += (journald ? "" : time + " ") + event.level.rawValue + " " + Self.oneLine("\(event.message)")
            for key in fields.keys.sorted() { line += " \(key)=" + Self.oneLine("\(fields[key]!)") }
        }
        write(line + "\n")
    }

    /// syslog(3) priorities, as journald reads them at the start of a line.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.flatMap { s -> [Unicode.Scalar] in
            s.value < 0x20 || s.value == 0x7F ? Array(String(format: "\\x%02x", s.value).unicodeScalars) : [s]
        }))
    }

    /// write(2), errors ignored: a log that cannot be written (a full disk, a closed pipe)
    /// must not take the daemon down with it.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Whether standard error is the journal stream systemd names in `$JOURNAL_STREAM`
    /// (`device:inode`): inherited by a shell under a unit, the variable alone would put
    /// priorities in front of lines written to a terminal.
    public static func stderrIsJournal(_ environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
