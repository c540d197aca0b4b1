import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a credential's label or its rotation policy.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "An auth id (PA_… or MA_…) or `partner`.")
        var credential: String

        @Option(name: .long, help: "New label.")
        var label: String?

        @Option(name: .customLong("max-age"), help: "Rotate this credential every DURATION (e.g. 30d).")
        var maxAge: String?

        @Option(name: .long, help: "Warn DURATION before it is due (e.g. 7d).")
        var warn: String?

        @Flag(name: .customLong("default-policy"), help: "Drop this credential's own policy and follow [rotation] again.")
        var defaultPolicy = false

        func validate() throws {
            if label == nil && maxAge == nil && warn == nil && !defaultPolicy {
                throw ValidationError("nothing to change: give --label, --max-age, --warn or --default-policy")
            }
        }

        func run() async throws {
            let ctx = try CLIContext(global)
            let m = try maxAge.map { try TimeSpan(parsing: $0) }
            let w = try warn.map { try TimeSpan(parsing: $0) }
            let a = try await ctx.withVault(needKey: true) { try await $0.edit(credential, label: label, maxAge: m, warn: w, resetPolicy: defaultPolicy, actor: ctx.actor) }
            let defaults = ctx.config.rotation.policy
            if ctx.json {
                ctx.console.out(JSONOutput.render(a.json(defaults: defaults, now: VaultClock.system.seconds, withVersions: false)))
            } else {
                let p = a.policy(defaults: defaults)
                ctx.console.out("updated \(a.authID): label \"\(a.label)\", rotate every \(p.maxAge), warn \(p.warn) ahead")
            }
        }
    }
}
