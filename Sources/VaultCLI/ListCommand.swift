import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials: metadata and fingerprints, never tokens.")

        @OptionGroup var global: GlobalOptions

        /// Credentials per page: each page is written before the next is asked for.
        static let page = "1000"

        func run() async throws {
            let ctx = try CLIContext(global)
            let admin = try await ctx.admin(needKey: false)
            var out = StreamedList(console: ctx.console, json: ctx.json, key: "credentials",
                                   header: ["AUTH_ID", "KIND", "STATE", "VERSION", "FINGERPRINT", "ROTATION DUE", "LABEL"])
            if ctx.json {
                try await out.stream(encoded: { try await admin.credentialsJSON(after: $0, limit: Self.page) })
            } else {
                try await out.stream({ try await admin.credentials(after: $0, limit: Self.page) }, next: \.next, items: \.credentials) { a in
                let due = a.rotation.dueAt.map { String($0.prefix(10)) + (a.rotation.standing == "overdue" ? " (overdue)" : "") }
                return [a.authID, a.kind, a.upstreamRejected == nil ? a.state : a.state + " (rejected)",
                        a.activeVersion.map(String.init) ?? "-", a.fingerprint ?? "-", due ?? "-", a.label.isEmpty ? "-" : a.label]
                }
            }
            out.finish(empty: "no credentials (import some with `vobiz-vault import`)")
        }
    }
}
