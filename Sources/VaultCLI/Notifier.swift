import Foundation

/// `remind --exec CMD`: hands the findings to a notifier command on its standard input. Runs
/// where the operator ran `remind`, never inside the daemon.
enum Notifier {
    /// Runs `/bin/sh -c command` with `text` on stdin; returns its exit status.
    static func run(_ command: String, text: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let input = Pipe()
        p.standardInput = input
        try p.run()
        // A notifier that exits without reading must not take remind down with SIGPIPE.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? input.fileHandleForWriting.close()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Exit status of `remind` when the notifier failed: UNKNOWN, so monitoring notices.
    static let failedExitCode: Int32 = 3
}
