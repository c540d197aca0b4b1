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

        func run() async throws {
            let ctx = try CLIContext(global)
            let findings = try await ctx.withVault(needKey: false) { try await $0.findings() }
            let code = Finding.exitCode(for: findings)
            if ctx.json {
                let rows: [[String: Any]] = findings.map {
                    ["severity": $0.severity.rawValue, "kind": $0.kind.rawValue, "auth_id": $0.authID, "label": $0.label,
                     "message": $0.message, "line": $0.line]
                }
                ctx.console.out(JSONOutput.render(["findings": rows, "exit_code": Int(code)]))
            } else {
                for f in findings { ctx.console.out(f.line) }
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
