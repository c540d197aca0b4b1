import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make the previous token version active again (within its grace).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "An auth id (PA_… or MA_…) or `partner`.")
        var credential: String

        @Option(name: .long, help: "Why (recorded in the audit log).")
        var reason: String?

        func run() async throws {
            let ctx = try CLIContext(global)
            let r = try await ctx.admin(needKey: true).rollback(credential, reason: reason)
            ctx.console.out(ctx.json ? AdminJSON.encode(r) : r.text(verb: "rolled back"))
        }
    }
}
