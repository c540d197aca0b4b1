import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a new vault: state directory (0700), database and a data key wrapped by the master key.",
            discussion: """
                The master key comes from --key-file (created with mode 0400 when it does not exist), \
                from $CREDENTIALS_DIRECTORY/master.key, or, with --passphrase, from a passphrase typed \
                twice at the terminal (or read from --passphrase-file).
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Protect the vault with a passphrase (Argon2id) instead of a key file.")
        var passphrase = false

        func run() async throws {
            let ctx = try CLIContext(global)
            let master = try masterKey(ctx)
            let service = try VaultService.initialize(config: ctx.config, master: master, actor: ctx.actor)
            let status = try await service.status()
            if ctx.json {
                ctx.console.out(AdminJSON.encode(status.view))
            } else {
                ctx.console.out("initialised vault \(status.vaultID) in \(status.stateDir) (master key: \(status.masterKeyKind))")
            }
        }

        func masterKey(_ ctx: CLIContext) throws -> MasterKeyInput {
            if passphrase || global.passphraseFile != nil {
                return .passphrase(try Passphrases.new(ctx.console, file: global.passphraseFile))
            }
            if let path = ctx.config.vault.keyFile {
                return .key(try KeyFile.readOrGenerate(path))
            }
            if let path = ctx.credentialKeyPath { return .key(try KeyFile.read(path)) }
            throw ValidationError("choose a master key: --key-file PATH (created if missing), --passphrase, or $CREDENTIALS_DIRECTORY/master.key")
        }
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
