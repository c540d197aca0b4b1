import VaultCrypto
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// `rekey` through the admin socket. The daemon opens no path for its callers, so the new
/// master key is resolved here, as the caller: `--new-key-file` is read or created by this
/// process and the key itself is sent (`--new-key-stdin`); `--new-passphrase-file` is read, or
/// `--new-passphrase` asked for twice on this terminal, and the passphrase is sent;
/// `--new-key-stdin` sends this process's standard input.
enum RekeyForwarding {
    /// The arguments and stdin to send instead, or nil when the rekey names no new master key.
    static func prepare(_ args: [String], files: [String: String], console: Console) throws -> ([String], SecureBytes)? {
        if let path = files["--new-key-file"] {
            return (args + ["--new-key-stdin"], try KeyFile.readOrGenerate(path))
        }
        if let path = files["--new-passphrase-file"] {
            let passphrase = try SecretReader.firstLine(SecretReader.readFile(path, limit: 4096, what: "passphrase file"))
            return (args + ["--new-passphrase"], passphrase)
        }
        if args.contains("--new-key-stdin") {
            return (args, try console.readStandardInput(128))
        }
        if args.contains("--new-passphrase") {
            return (args, try Passphrases.new(console, file: nil))
        }
        return nil
    }

    /// What the command prints offline after a new key file: where the key now is. The file
    /// belongs to whoever ran this; the daemon opens a key file only when it owns it (Docs/key-management.md).
    static func finish(files: [String: String], daemonUID: uid_t, json: Bool, console: Console) {
        guard let path = files["--new-key-file"] else { return }
        if !json { console.out("from now on open the vault with --key-file \(path) (or set [vault] key_file)") }
        var st = stat()
        if lstat(path, &st) == 0, st.st_uid != daemonUID {
            console.err("note: \(path) belongs to uid \(st.st_uid); the daemon (uid \(daemonUID)) opens it only once it owns it (chown \(daemonUID) \(path))")
        }
    }
}
