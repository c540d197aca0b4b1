import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials: metadata and fingerprints, never tokens.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let accounts = try await ctx.withVault(needKey: false) { try await $0.list() }
            let defaults = ctx.config.rotation.policy
            let now = VaultClock.system.seconds
            if ctx.json {
                ctx.console.out(JSONOutput.render(["credentials": accounts.map { $0.json(defaults: defaults, now: now, withVersions: false) }]))
                return
            }
            guard !accounts.isEmpty else { ctx.console.out("no credentials (import some with `vobiz-vault import`)"); return }
            var table = TextTable(["AUTH_ID", "KIND", "STATE", "VERSION", "FINGERPRINT", "ROTATION DUE", "LABEL"])
            for a in accounts {
                let s = a.schedule(defaults: defaults, now: now)
                table.add([a.authID.rawValue, a.kind.rawValue, a.stateText, a.activeVersion.map { String($0.version) } ?? "-",
                           a.activeVersion?.fingerprint ?? "-",
                           s.map { Timestamp.date($0.dueAt) + ($0.standing == .overdue ? " (overdue)" : "") } ?? "-", a.labelOrDash])
            }
            ctx.console.out(table.render())
        }
    }
}
