import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the vault's identity, keys and counts.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let status = try await ctx.admin(needKey: false).status()
            ctx.console.out(ctx.json ? AdminJSON.encode(status) : status.text)
        }
    }
}
