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

        @Option(name: .customLong("exec"), help: "When there are findings, pipe them (lines, or JSON with --json) to this shell command.")
        var exec: String?

        func run() async throws {
            let ctx = try CLIContext(global)
            let findings = try await ctx.withVault(needKey: false) { try await $0.findings() }
            let code = Finding.exitCode(for: findings)
            let text: String
            if ctx.json {
                let rows: [[String: Any]] = findings.map {
                    ["severity": $0.severity.rawValue, "kind": $0.kind.rawValue, "auth_id": $0.authID, "label": $0.label,
                     "message": $0.message, "line": $0.line]
                }
                text = JSONOutput.render(["findings": rows, "exit_code": Int(code)])
            } else {
                text = findings.map(\.line).joined(separator: "\n")
            }
            if !text.isEmpty { ctx.console.out(text) }
            if let exec, !findings.isEmpty, try Notifier.run(exec, text: text + "\n") != 0 {
                ctx.console.err("vobiz-vault: error: the notifier command failed; the findings above were not delivered")
                throw ExitCode(Notifier.failedExitCode)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
