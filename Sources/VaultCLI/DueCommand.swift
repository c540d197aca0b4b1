import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials due or overdue for rotation.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Look this far ahead (default: each credential's warn period).")
        var within: String?

        func run() async throws {
            let ctx = try CLIContext(global)
            let window = try within.map { try TimeSpan(parsing: $0) }
            let items = try await ctx.withVault(needKey: false) { try await $0.due(within: window) }
            if ctx.json {
                ctx.console.out(JSONOutput.render(["due": items.map(\.json)]))
                return
            }
            guard !items.isEmpty else { ctx.console.out("nothing due\(within.map { " within \($0)" } ?? "")"); return }
            var table = TextTable(["AUTH_ID", "STANDING", "DUE", "DAYS", "LABEL"])
            for i in items {
                let days = i.schedule.standing == .overdue
                    ? "overdue by \(Reminders.plural(i.schedule.daysOverdue, "day"))"
                    : "in \(Reminders.plural(i.schedule.daysUntilDue, "day"))"
                table.add([i.account.authID.rawValue, i.schedule.standing.rawValue, Timestamp.date(i.schedule.dueAt), days, i.account.labelOrDash])
            }
            ctx.console.out(table.render())
        }
    }
}

extension DueItem {
    var json: [String: Any] {
        [
            "auth_id": account.authID.rawValue,
            "kind": account.kind.rawValue,
            "label": account.label,
            "state": account.state.rawValue,
            "standing": schedule.standing.rawValue,
            "due_at": Timestamp.iso(schedule.dueAt),
            "seconds_until_due": schedule.secondsUntilDue,
            "days_until_due": schedule.daysUntilDue,
            "days_overdue": schedule.daysOverdue,
        ]
    }
}
