import ArgumentParser
import VaultService

extension Root {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the vault's identity, keys and counts.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let status = try await ctx.withVault(needKey: false) { try await $0.status() }
            ctx.console.out(ctx.json ? JSONOutput.render(status.json) : status.text)
        }
    }
}
