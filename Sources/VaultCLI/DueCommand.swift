import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials due or overdue for rotation.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Look this far ahead (default: each credential's warn period).")
        var within: String?

        /// Larger pages than `list`: SQLite reads every account once per page of the due listing
        /// (10,000 would save a tenth of the time and cost the daemon 15 MiB more).
        static let page = "5000"

        func run() async throws {
            let ctx = try CLIContext(global)
            let admin = try await ctx.admin(needKey: false)
            var out = StreamedList(console: ctx.console, json: ctx.json, key: "due", header: ["AUTH_ID", "STANDING", "DUE", "DAYS", "LABEL"])
            let within = self.within
            if ctx.json {
                try await out.stream(encoded: { try await admin.dueJSON(within: within, after: $0, limit: Self.page) })
            } else {
                try await out.stream({ try await admin.due(within: within, after: $0, limit: Self.page) }, next: \.next, items: \.due) { i in
                let days = i.standing == "overdue"
                    ? "overdue by \(Reminders.plural(i.daysOverdue, "day"))"
                    : "in \(Reminders.plural(i.daysUntilDue, "day"))"
                return [i.authID, i.standing, String(i.dueAt.prefix(10)), days, i.label.isEmpty ? "-" : i.label]
                }
            }
            out.finish(empty: "nothing due\(within.map { " within \($0)" } ?? "")")
        }
    }
}
