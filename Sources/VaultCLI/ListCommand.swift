import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials: metadata and fingerprints, never tokens.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let list = try await ctx.admin(needKey: false).credentials()
            if ctx.json {
                ctx.console.out(AdminJSON.encode(list))
                return
            }
            guard !list.credentials.isEmpty else { ctx.console.out("no credentials (import some with `vobiz-vault import`)"); return }
            var table = TextTable(["AUTH_ID", "KIND", "STATE", "VERSION", "FINGERPRINT", "ROTATION DUE", "LABEL"])
            for a in list.credentials {
                let due = a.rotation.dueAt.map { String($0.prefix(10)) + (a.rotation.standing == "overdue" ? " (overdue)" : "") }
                table.add([a.authID, a.kind, a.upstreamRejected == nil ? a.state : a.state + " (rejected)",
                           a.activeVersion.map(String.init) ?? "-", a.fingerprint ?? "-", due ?? "-", a.label.isEmpty ? "-" : a.label])
            }
            ctx.console.out(table.render())
        }
    }
}
