import ArgumentParser
import VaultService

extension Root {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the vault's identity, keys and counts.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let service = try await ctx.openVault(needKey: false)
            let status = try await service.status()
            await service.checkpoint()
            ctx.console.out(ctx.json ? JSONOutput.render(status.json) : status.text)
        }
    }
}
