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
            for d in [maxAge, warn].compactMap({ $0 }) { _ = try TimeSpan(parsing: d) }
            let a = try await ctx.admin(needKey: true).edit(credential, label: label, maxAge: maxAge, warn: warn, resetPolicy: defaultPolicy)
            if ctx.json {
                ctx.console.out(AdminJSON.encode(a))
            } else {
                ctx.console.out("updated \(a.authID): label \"\(a.label)\", rotate every \(a.rotation.maxAge), warn \(a.rotation.warn) ahead")
            }
        }
    }
}
