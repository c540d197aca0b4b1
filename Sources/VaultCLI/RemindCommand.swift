import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Remind: AsyncParsableCommand, FailureExitCode {
        static let configuration = CommandConfiguration(
            abstract: "Report what needs an operator (for cron and systemd timers).",
            discussion: """
                Silent when nothing is due; otherwise one line per finding: SEVERITY auth_id label: message. \
                Exit 0: nothing due; 1: rotation due within the warn window; 2: overdue, revoked or \
                compromised and not rotated; 3: the check itself failed.
                """)

        /// Monitoring-plugin convention: UNKNOWN.
        static let failureExitCode: Int32 = 3

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("exec"), help: "When there are findings, pipe them (lines, or JSON with --json) to this shell command (default: [remind] exec).")
        var exec: String?

        func run() async throws {
            let ctx = try CLIContext(global)
            let view = try await ctx.admin(needKey: false).remind()
            let code = view.exitCode
            let text = ctx.json ? AdminJSON.encode(view) : view.findings.map(\.line).joined(separator: "\n")
            if !text.isEmpty { ctx.console.out(text) }
            // The notifier runs here, as the user who ran `remind`, whether or not a daemon holds the vault.
            if let exec = exec ?? ctx.config.remind.exec, !view.findings.isEmpty, try Notifier.run(exec, text: text + "\n") != 0 {
                ctx.console.err("vobiz-vault: error: the notifier command failed; the findings above were not delivered")
                throw ExitCode(Notifier.failedExitCode)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
