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
            let items = try await ctx.admin(needKey: false).due(within: within).due
            if ctx.json {
                ctx.console.out(AdminJSON.encode(DueList(items)))
                return
            }
            guard !items.isEmpty else { ctx.console.out("nothing due\(within.map { " within \($0)" } ?? "")"); return }
            var table = TextTable(["AUTH_ID", "STANDING", "DUE", "DAYS", "LABEL"])
            for i in items {
                let days = i.standing == "overdue"
                    ? "overdue by \(Reminders.plural(i.daysOverdue, "day"))"
                    : "in \(Reminders.plural(i.daysUntilDue, "day"))"
                table.add([i.authID, i.standing, String(i.dueAt.prefix(10)), days, i.label.isEmpty ? "-" : i.label])
            }
            ctx.console.out(table.render())
        }
    }
}
