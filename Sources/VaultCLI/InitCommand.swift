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
            let master = try NewMasterKey.read(ctx, passphrase: passphrase)
            let service = try VaultService.initialize(config: ctx.config, master: master, actor: ctx.actor)
            let status = try await service.status()
            if ctx.json {
                ctx.console.out(AdminJSON.encode(status.view))
            } else {
                ctx.console.out("initialised vault \(status.vaultID) in \(status.stateDir) (master key: \(status.masterKeyKind))")
            }
        }
    }
}
