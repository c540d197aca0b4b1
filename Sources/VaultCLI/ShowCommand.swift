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
            let a = try await ctx.admin(needKey: false).credential(credential)
            if ctx.json {
                ctx.console.out(AdminJSON.encode(a))
                return
            }
            let r = a.rotation
            var lines = [
                "auth_id:   \(a.authID)",
                "kind:      \(a.kind)\(a.parent.map { " (partner \($0))" } ?? "")",
                "label:     \(a.label.isEmpty ? "-" : a.label)",
                "state:     \(a.state)\(a.stateChangedAt.map { " since \($0)" } ?? "")\(a.stateReason.map { ": \($0)" } ?? "")",
                "upstream:  \(a.upstreamRejected.map { "REJECTED by Vobiz (401 on \($0.by)) since \($0.at)" } ?? "no rejection recorded")",
                "rotation:  every \(r.maxAge), warn \(r.warn) ahead\(r.policy == "default" ? " (config default)" : "")",
                "due:       \(r.dueAt.map { "\($0) (\(r.standing ?? "-"))" } ?? "-")",
                "",
            ]
            var table = TextTable(["VERSION", "STATUS", "FINGERPRINT", "SOURCE", "CREATED", "DESTROY AFTER", "BY", "REASON"])
            for v in a.versions ?? [] {
                table.add([String(v.version), v.status, v.fingerprint, v.source, v.createdAt, v.destroyAfter ?? "-",
                           v.actorDisplay ?? "-", v.reason ?? "-"])
            }
            lines.append(table.render())
            ctx.console.out(lines.joined(separator: "\n"))
        }
    }
}
