import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one credential and its token versions (fingerprints only).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "An auth id (PA_… or MA_…) or `partner`.")
        var credential: String

        func run() async throws {
            let ctx = try CLIContext(global)
            let a = try await ctx.withVault(needKey: false) { try await $0.show(credential) }
            let defaults = ctx.config.rotation.policy
            let now = VaultClock.system.seconds
            if ctx.json {
                ctx.console.out(JSONOutput.render(a.json(defaults: defaults, now: now, withVersions: true)))
                return
            }
            let p = a.policy(defaults: defaults)
            let s = a.schedule(defaults: defaults, now: now)
            var lines = [
                "auth_id:   \(a.authID)",
                "kind:      \(a.kind.rawValue)\(a.parent.map { " (partner \($0))" } ?? "")",
                "label:     \(a.labelOrDash)",
                "state:     \(a.state.rawValue)\(a.stateChangedAt.map { " since \(Timestamp.iso($0))" } ?? "")\(a.stateReason.map { ": \($0)" } ?? "")",
                "upstream:  \(a.rejection.map { "REJECTED by Vobiz (401 on \($0.by)) since \(Timestamp.iso($0.at))" } ?? "no rejection recorded")",
                "rotation:  every \(p.maxAge), warn \(p.warn) ahead\(a.maxAge == nil && a.warn == nil ? " (config default)" : "")",
                "due:       \(s.map { "\(Timestamp.iso($0.dueAt)) (\($0.standing.rawValue))" } ?? "-")",
                "",
            ]
            var table = TextTable(["VERSION", "STATUS", "FINGERPRINT", "SOURCE", "CREATED", "DESTROY AFTER", "BY", "REASON"])
            for v in a.versions {
                table.add([String(v.version), v.status.rawValue, v.fingerprint, v.source.rawValue, Timestamp.iso(v.createdAt),
                           v.destroyAfter.map(Timestamp.iso) ?? "-", v.actor?.display ?? "-", v.reason ?? "-"])
            }
            lines.append(table.render())
            ctx.console.out(lines.joined(separator: "\n"))
        }
    }
}
