import ArgumentParser
import Foundation
import VaultClient
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Rekey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the master key (rewraps the data key, atomically) and/or the data key itself.",
            discussion: """
                --new-key-file PATH uses that key file, creating it (mode 0400) when it does not exist; \
                --new-passphrase asks for a passphrase twice (or reads --new-passphrase-file). --data-key \
                re-encrypts every secret under a fresh data key in one transaction; fingerprints change \
                and the audit chain is re-sealed, after it verified under the old key. While a daemon runs, the key file is read or \
                created and the passphrase asked for (or read) here, as you, and only the key or \
                passphrase goes to the daemon.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("new-key-file"), help: "New master key file (created with mode 0400 if missing).")
        var newKeyFile: String?

        @Flag(name: .customLong("new-passphrase"), help: "Protect the vault with a new passphrase.")
        var newPassphrase = false

        @Option(name: .customLong("new-passphrase-file"), help: "Read the new passphrase from this file (mode 0600).")
        var newPassphraseFile: String?

        @Flag(name: .customLong("new-key-stdin"), help: "Read the new master key (32 bytes: raw, base64 or hex) from standard input.")
        var newKeyStdin = false

        @Flag(name: .customLong("data-key"), help: "Also replace the data key and re-encrypt every secret.")
        var dataKey = false

        func validate() throws {
            let masters = [newKeyFile != nil, newKeyStdin, newPassphrase || newPassphraseFile != nil].filter { $0 }.count
            guard masters <= 1 else { throw ValidationError("give one new master key: --new-key-file, --new-key-stdin or --new-passphrase") }
            guard masters == 1 || dataKey else { throw ValidationError("nothing to do: give --new-key-file, --new-key-stdin, --new-passphrase and/or --data-key") }
        }

        func run() async throws {
            let ctx = try CLIContext(global)
            let admin = try await ctx.admin(needKey: true)
            // Key and passphrase are read here, as the caller: a daemon that holds the vault
            // gets only the key or the passphrase.
            var master: MasterKeyInput?
            if let path = newKeyFile {
                master = .key(try KeyFile.readOrGenerate(path))
            } else if newKeyStdin {
                master = .key(try KeyFile.fromInput(ctx.console.readStandardInput(128)))
            } else if newPassphrase || newPassphraseFile != nil {
                master = .passphrase(try Passphrases.new(ctx.console, file: newPassphraseFile))
            }
            let status = try await admin.rekey(newMaster: master, dataKey: dataKey)
            if ctx.json {
                ctx.console.out(AdminJSON.encode(status))
            } else {
                var what: [String] = []
                if master != nil { what.append("master key replaced (\(status.masterKey.kind) \(status.masterKey.id))") }
                if dataKey { what.append("data key replaced (\(status.dataKey.id)); every secret re-encrypted") }
                ctx.console.out(what.joined(separator: "; "))
                if let path = newKeyFile { ctx.console.out("from now on open the vault with --key-file \(path) (or set [vault] key_file)") }
            }
            if let path = newKeyFile, admin is AdminClient { try Self.noteOwner(path, ctx: ctx) }
        }

        /// A daemon opens a key file only when it owns it (Docs/key-management.md); this one
        /// belongs to whoever ran the command.
        static func noteOwner(_ path: String, ctx: CLIContext) throws {
            let daemonUID = try DaemonUser.uid(ctx.config, stateDir: ctx.config.vault.stateDir)
            var st = stat()
            if lstat(path, &st) == 0, st.st_uid != daemonUID {
                ctx.console.err("note: \(path) belongs to uid \(st.st_uid); the daemon (uid \(daemonUID)) opens it only once it owns it (chown \(daemonUID) \(path))")
            }
        }
    }
}
