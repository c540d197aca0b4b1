import ArgumentParser

/// Options every subcommand accepts (Docs/cli.md), plus where the vault and its key are.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Configuration file (default /etc/vobiz-vault/config.toml when it exists).")
    var config: String?

    @Option(name: .long, help: "Client socket of a running daemon (default $VOBIZ_VAULT_SOCKET, then [sockets] client).")
    var socket: String?

    @Option(name: .customLong("admin-socket"), help: "Admin socket of a running daemon.")
    var adminSocket: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @Option(name: .customLong("state-dir"), help: "Vault state directory (overrides [vault] state_dir).")
    var stateDir: String?

    @Option(name: .customLong("key-file"), help: "Master key file: owned by you, mode 0400 or 0600 (overrides [vault] key_file).")
    var keyFile: String?

    @Option(name: .customLong("passphrase-file"), help: "File holding the vault passphrase on its first line (mode 0600), instead of the prompt.")
    var passphraseFile: String?

    public init() {}
}
