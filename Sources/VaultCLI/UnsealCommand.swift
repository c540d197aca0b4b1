import ArgumentParser
import VaultClient
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Unseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock a running daemon's passphrase vault (passphrase from the prompt, stdin or --passphrase-file).")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let admin = try await ctx.admin(needKey: false)
            // Reaching the vault directly means no daemon holds it: nothing to unseal.
            guard admin is AdminClient else {
                throw CLIError.usage("no daemon is running on this vault; unseal applies to `vobiz-vault serve`")
            }
            _ = try await admin.unseal(passphrase: try passphrase(ctx))
            ctx.console.out(ctx.json ? AdminJSON.encode(["unsealed": true]) : "unsealed")
        }

        /// From --passphrase-file (its first line), the prompt at a terminal, or standard input.
        func passphrase(_ ctx: CLIContext) throws -> SecureBytes {
            if let f = global.passphraseFile {
                return try SecretReader.firstLine(SecretReader.readFile(f, limit: 4096, what: "passphrase file"))
            }
            if ctx.console.standardInputIsTerminal() { return try ctx.console.promptSecret("Vault passphrase: ") }
            return try SecretReader.trimmingLineEnd(ctx.console.readStandardInput(4096))
        }
    }
}
