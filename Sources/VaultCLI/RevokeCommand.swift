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
            let a = try await ctx.admin(needKey: true).revoke(credential, compromised: compromised, reason: reason)
            if ctx.json {
                ctx.console.out(AdminJSON.encode(a))
            } else {
                ctx.console.out("\(a.authID) is now \(a.state); rotate it with `vobiz-vault rotate \(a.authID)` once a new token is issued")
            }
        }
    }
}
