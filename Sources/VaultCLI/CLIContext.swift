import Foundation
import VaultCore
import VaultCrypto
import VaultService

/// What every command needs: the configuration with command-line overrides applied, the
/// console, who is acting, and a way to open the vault with or without its key.
struct CLIContext {
    let options: GlobalOptions
    let console: Console
    let config: VaultConfig
    let actor: ActorIdentity

    init(_ options: GlobalOptions) throws {
        self.options = options
        console = Console.current
        let env = console.environment
        let stateDir = options.stateDir ?? env["VOBIZ_VAULT_STATE_DIR"]
        var config = try Self.load(options.config ?? env["VOBIZ_VAULT_CONFIG"], stateDir: stateDir, console: console)
        if let dir = stateDir { config.vault.stateDir = dir }
        if let key = options.keyFile ?? env["VOBIZ_VAULT_KEY_FILE"] { config.vault.keyFile = key }
        self.config = config
        actor = ActorIdentity.current()
    }

    var json: Bool { options.json }

    /// The client socket a command talks to: `--socket`, else `$VOBIZ_VAULT_SOCKET` (as
    /// `SSH_AUTH_SOCK`, so one variable points every client at a vault), else the configuration's.
    var clientSocket: String { options.socket ?? console.environment["VOBIZ_VAULT_SOCKET"] ?? config.sockets.client }

    /// `$CREDENTIALS_DIRECTORY/master.key`, where systemd's LoadCredentialEncrypted= puts it.
    var credentialKeyPath: String? {
        guard let dir = console.environment["CREDENTIALS_DIRECTORY"] else { return nil }
        let path = dir + "/master.key"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Whether the operator has made a key available without being asked for it.
    var keyIsAvailable: Bool {
        config.vault.keyFile != nil || credentialKeyPath != nil || options.passphraseFile != nil
    }

    /// Opens the vault. `needKey`: the command changes or opens secrets, so the key is required;
    /// otherwise the key is used when available (and then must be right) and the vault opens
    /// read-only when it is not.
    func openVault(needKey: Bool) async throws -> VaultService {
        let unlock: MasterKeyProvider? = needKey || keyIsAvailable ? keyProvider() : nil
        let service = try VaultService.open(config: config, unlock: unlock)
        // Versions past their grace are destroyed by the next command that holds the key.
        if unlock != nil { try await service.destroyExpired(actor: actor) }
        return service
    }

    /// The configuration file. A broken file must not lock operators out of a daemon that
    /// still runs on its last good configuration (SIGHUP keeps it): with the state directory
    /// named, and held by a daemon, the defaults and the flags find its admin socket.
    static func load(_ path: String?, stateDir: String?, console: Console) throws -> VaultConfig {
        do {
            return try ConfigLoader.load(path: path)
        } catch {
            guard let stateDir, daemonHolds(stateDir) else { throw error }
            console.err("note: \(error.description); reaching the daemon that holds \(stateDir)")
            return VaultConfig()
        }
    }

    /// Whether a daemon holds the vault in `dir` (its lock is taken).
    static func daemonHolds(_ dir: String) -> Bool {
        do {
            _ = try StateDirectory(dir).lock(exclusive: false)
            return false
        } catch ServiceError.daemonRunning {
            return true
        } catch {
            return false
        }
    }

    /// Supplies the master key in Docs/key-management.md order: --key-file / [vault] key_file, then
    /// $CREDENTIALS_DIRECTORY/master.key; for a passphrase vault, --passphrase-file or the prompt.
    func keyProvider() -> MasterKeyProvider {
        let keyFile = config.vault.keyFile ?? credentialKeyPath
        let passphraseFile = options.passphraseFile
        let console = self.console
        let explicitKey = options.keyFile != nil || console.environment["VOBIZ_VAULT_KEY_FILE"] != nil
        return { needsPassphrase in
            if needsPassphrase {
                if passphraseFile == nil, explicitKey {
                    throw ServiceError.masterKeyKindMismatch(vaultUses: "passphrase (type it at the prompt or pass --passphrase-file)")
                }
                if let f = passphraseFile {
                    return .passphrase(try SecretReader.firstLine(SecretReader.readFile(f, limit: 4096, what: "passphrase file")))
                }
                return .passphrase(try console.promptSecret("Vault passphrase: "))
            }
            guard let keyFile else {
                if passphraseFile != nil { throw ServiceError.masterKeyKindMismatch(vaultUses: "key file (pass --key-file)") }
                throw ServiceError.masterKeyRequired(kind: "pass --key-file, set [vault] key_file, or run under systemd with LoadCredentialEncrypted=master.key")
            }
            return .key(try KeyFile.read(keyFile))
        }
    }
}

