import VaultCrypto

/// Where a new token comes from: `--token-file`, a no-echo prompt at a terminal, or the whole of
/// standard input (one trailing newline dropped). Never from argv.
enum TokenInput {
    static func read(_ ctx: CLIContext, file: String?, prompt: String) throws -> SecureBytes {
        if let file {
            return try SecretReader.trimmingLineEnd(SecretReader.readFile(file, limit: 4096, what: "token file"))
        }
        if ctx.console.standardInputIsTerminal() {
            return try ctx.console.promptSecret(prompt)
        }
        return try SecretReader.trimmingLineEnd(ctx.console.readStandardInput(4096))
    }
}
