/// Options that name a file, directory or socket. Inside the daemon a command runs as the
/// daemon's user on behalf of an admin-socket caller who may not be able to open that path
/// themselves, so the daemon opens, creates or stats none of them: the CLI reads what it needs
/// as the caller and sends the content (stdin, a new key, a new passphrase), and the daemon
/// uses its own configuration, state directory, key and sockets.
enum DaemonSidePaths {
    /// Every path-naming option of every command, with what to do instead.
    static let refused: [String: String] = [
        "--config": "the daemon uses its own configuration",
        "--state-dir": "the daemon uses its own state directory",
        "--key-file": "the daemon holds its own master key",
        "--passphrase-file": "the vobiz-vault CLI reads it as you and sends the passphrase",
        "--socket": "it names a socket for the CLI to connect to",
        "--admin-socket": "it names a socket for the CLI to connect to",
        "--file": "the vobiz-vault CLI reads it as you and sends its content",
        "--token-file": "the vobiz-vault CLI reads it as you and sends the token",
        "--new-key-file": "the vobiz-vault CLI reads or creates it as you and sends the key (--new-key-stdin)",
        "--new-passphrase-file": "the vobiz-vault CLI reads it as you and sends the passphrase",
        "--exec": "the notifier runs where remind is run, as that user",
        "--body-file": "the vobiz-vault CLI reads it as you",
        "--to": "backup runs as its caller, not inside the daemon",
        "--from": "restore runs as its caller, not inside the daemon",
    ]

    /// The first path-naming option in `args` (`--opt` or `--opt=value`), if any. Only the
    /// option's name is reported back: saying anything about the path (whether it exists, its
    /// owner or mode) would tell the caller what the daemon's user can see.
    static func firstRefused(_ args: [String]) -> (option: String, why: String)? {
        // After `--` come operands, not options.
        for a in args.prefix(while: { $0 != "--" }) where a.hasPrefix("--") {
            let name = a.firstIndex(of: "=").map { String(a[..<$0]) } ?? a
            if let why = refused[name] { return (name, why) }
        }
        return nil
    }

    /// The one-line refusal for `args`, or nil when they name no path.
    static func refusal(_ args: [String]) -> String? {
        firstRefused(args).map { "\($0.option) names a path, and the daemon opens no path for an admin-socket caller: \($0.why)" }
    }
}
