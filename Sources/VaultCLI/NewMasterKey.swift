import ArgumentParser
import VaultCrypto
import VaultService

/// The master key of a host that has none yet (`init`, `fleet join`): a key file (created with
/// mode 0400 when missing), `$CREDENTIALS_DIRECTORY/master.key`, or a new passphrase.
enum NewMasterKey {
    static func read(_ ctx: CLIContext, passphrase: Bool) throws -> MasterKeyInput {
        if passphrase || ctx.options.passphraseFile != nil {
            return .passphrase(try Passphrases.new(ctx.console, file: ctx.options.passphraseFile))
        }
        if let path = ctx.config.vault.keyFile {
            return .key(try KeyFile.readOrGenerate(path))
        }
        if let path = ctx.credentialKeyPath { return .key(try KeyFile.read(path)) }
        throw ValidationError("choose a master key: --key-file PATH (created if missing), --passphrase, or $CREDENTIALS_DIRECTORY/master.key")
    }
}

/// Asking for a new passphrase: from a file, or twice at the terminal.
enum Passphrases {
    static func new(_ console: Console, file: String?) throws -> SecureBytes {
        if let file { return try SecretReader.firstLine(SecretReader.readFile(file, limit: 4096, what: "passphrase file")) }
        let first = try console.promptSecret("New vault passphrase: ")
        let second = try console.promptSecret("Repeat passphrase: ")
        guard first.constantTimeEquals(second) else { throw CLIError.mismatch("the passphrases do not match; nothing was changed") }
        return first
    }
}
