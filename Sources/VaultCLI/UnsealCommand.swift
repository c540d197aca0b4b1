import ArgumentParser
import VaultService

extension Root {
    struct Unseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock a running daemon's passphrase vault (passphrase from the prompt, stdin or --passphrase-file).")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            guard let session = DaemonSession.current else {
                // Reaching the vault directly means no daemon holds it: nothing to unseal.
                _ = try await ctx.openVault(needKey: false)
                throw CLIError.usage("no daemon is running on this vault; unseal applies to `vobiz-vault serve`")
            }
            let passphrase = try SecretReader.trimmingLineEnd(ctx.console.readStandardInput(4096))
            try await session.service.unseal(.passphrase(passphrase), actor: ctx.actor)
            ctx.console.out("unsealed")
        }
    }
}
