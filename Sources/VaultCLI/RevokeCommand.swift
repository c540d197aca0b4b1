import VaultCore
import ArgumentParser
import VaultService

extension Root {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a credential revoked (or compromised): it is used for nothing until rotated.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "An auth id (PA_… or MA_…) or `partner`.")
        var credential: String

        @Flag(name: .long, help: "The token leaked: rotating it later destroys the old version at once.")
        var compromised = false

        @Option(name: .long, help: "Why (recorded in the audit log).")
        var reason: String?

        func run() async throws {
            let ctx = try CLIContext(global)
            let a = try await ctx.withVault(needKey: true) { try await $0.revoke(credential, compromised: compromised, reason: reason, actor: ctx.actor) }
            if ctx.json {
                ctx.console.out(JSONOutput.render(a.json(defaults: ctx.config.rotation.policy, now: VaultClock.system.seconds, withVersions: false)))
            } else {
                ctx.console.out("\(a.authID) is now \(a.state.rawValue); rotate it with `vobiz-vault rotate \(a.authID)` once a new token is issued")
            }
        }
    }
}
