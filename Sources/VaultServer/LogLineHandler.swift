import Foundation
import Logging
import VaultCore

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
            line += (journald ? "" : time + " ") + event.level.rawValue + " " + "\(event.message)"
            for key in fields.keys.sorted() { line += " \(key)=\(fields[key]!)" }
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

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
