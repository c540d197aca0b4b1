import Foundation
import VaultClient
import VaultCore
import VaultCrypto
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// While a daemon holds the vault, admin commands go through its admin socket: the same
/// command runs inside the daemon, so output and exit codes are the same. Secrets the command
/// reads (stdin, `--file`, `--token-file`, a prompt, a new key or passphrase) are read here, as
/// the caller, and forwarded as its stdin: the daemon opens no path named by a caller
/// (`DaemonSidePaths`).
enum AdminForwarder {
    /// Options that name local files or sockets: resolved here, never sent.
    static let localOptions: Set<String> = ["--config", "--socket", "--admin-socket", "--state-dir", "--key-file", "--passphrase-file",
                                            "--file", "--token-file", "--exec", "--new-key-file", "--new-passphrase-file"]

    static func forward(_ arguments: [String], global: GlobalOptions, console: Console) async throws -> Int32 {
        // The daemon has its own copy of the configuration; a file that no longer loads here
        // still leaves the flags and the defaults to find it by.
        let config = (try? ConfigLoader.load(path: global.config ?? console.environment["VOBIZ_VAULT_CONFIG"])) ?? VaultConfig()
        let stateDir = global.stateDir ?? console.environment["VOBIZ_VAULT_STATE_DIR"] ?? config.vault.stateDir
        let daemonUID = try DaemonUser.uid(config, stateDir: stateDir)
        let client = VaultClient(socketPath: global.adminSocket ?? config.sockets.admin, expectedUID: daemonUID)
        var (args, files) = split(arguments)
        let stdin: SecureBytes
        if args.first == "import", args.contains("--from-env") {
            (args, stdin) = try environmentImport(args, console: console)
        } else if args.first == "rekey", let resolved = try RekeyForwarding.prepare(args, files: files, console: console) {
            (args, stdin) = resolved
        } else {
            stdin = try input(for: args, files: files, console: console)
        }
        var body = try requestBody(args, stdin)
        defer { body.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } } }
        let words = commandWords(args)
        let response = try client.send(method: "POST", path: "/v1/admin/run/" + words.joined(separator: "/"), body: body)
        let parsed = try response.body.withUnsafeBytes { try JSONParser.parse($0) }
        guard response.status == 200, case .number(let code)? = parsed["exit_code"] else {
            if case .string(let detail)? = parsed["detail"] { throw CLIError.io("the daemon refused: \(detail.plainText)") }
            throw CLIError.io("the daemon answered \(response.status)")
        }
        var stdout = ""
        if case .string(let out)? = parsed["stdout"], !out.isEmpty {
            stdout = out.plainText
            console.write(stdout)
        }
        if case .string(let err)? = parsed["stderr"], !err.isEmpty { console.writeError(err.plainText) }
        if args.first == "rekey", Int32(code) == 0 { RekeyForwarding.finish(files: files, daemonUID: daemonUID, json: global.json, console: console) }
        // `remind --exec`: the notifier runs here, with what the daemon printed.
        if let command = files["--exec"], args.first == "remind", !stdout.isEmpty, try Notifier.run(command, text: stdout) != 0 {
            console.writeError("vobiz-vault: error: the notifier command failed; the findings above were not delivered")
            return Notifier.failedExitCode
        }
        return Int32(code) ?? 1
    }

    /// Whether a daemon holds the vault named by the flags or the environment.
    static func daemonHolds(_ global: GlobalOptions, console: Console) -> Bool {
        guard let dir = global.stateDir ?? console.environment["VOBIZ_VAULT_STATE_DIR"] else { return false }
        do {
            _ = try StateDirectory(dir).lock(exclusive: false)
            return false
        } catch ServiceError.daemonRunning {
            return true
        } catch {
            return false
        }
    }

    /// Drops the local-only options (and their values) from the arguments; keeps the files named.
    static func split(_ arguments: [String]) -> ([String], [String: String]) {
        var out: [String] = [], files: [String: String] = [:]
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if let eq = a.firstIndex(of: "="), localOptions.contains(String(a[..<eq])) {
                files[String(a[..<eq])] = String(a[a.index(after: eq)...])
            } else if localOptions.contains(a), i + 1 < arguments.count {
                files[a] = arguments[i + 1]
                i += 1
            } else {
                out.append(a)
            }
            i += 1
        }
        return (out, files)
    }

    /// `import --from-env [--label L]` becomes `import --format json` with the record on stdin:
    /// the daemon does not see this shell's environment.
    static func environmentImport(_ args: [String], console: Console) throws -> ([String], SecureBytes) {
        guard let id = console.environment["VOBIZ_AUTH_ID"], let token = console.environment["VOBIZ_AUTH_TOKEN"] else {
            throw CLIError.usage("--from-env needs both VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN in the environment")
        }
        var rest: [String] = [], label: String?
        var i = 0
        while i < args.count {
            if args[i] == "--from-env" { i += 1; continue }
            if args[i] == "--label", i + 1 < args.count { label = args[i + 1]; i += 2; continue }
            if args[i].hasPrefix("--label=") { label = String(args[i].dropFirst(8)); i += 1; continue }
            rest.append(args[i])
            i += 1
        }
        var record: [String: String] = ["auth_id": id, "auth_token": token]
        if let label { record["label"] = label }
        var bytes = Array(try JSONSerialization.data(withJSONObject: record))
        defer { bytes.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } } }
        return (rest + ["--format", "json"], try bytes.withUnsafeBytes { try SecureBytes(copying: $0) })
    }

    /// The subcommand words at the front of the arguments (`audit tail`, `rotate`).
    static func commandWords(_ args: [String]) -> [String] {
        let nested: Set<String> = ["audit", "jwt", "policy", "login-credentials"]
        guard let first = args.first else { return [] }
        if nested.contains(first), args.count > 1, !args[1].hasPrefix("-") { return [first, args[1]] }
        return [first]
    }

    /// What the command would have read: a secret file, the prompt, or stdin.
    static func input(for args: [String], files: [String: String], console: Console) throws -> SecureBytes {
        let command = args.first ?? ""
        if let f = files["--token-file"] { return try SecretReader.readFile(f, limit: 4096, what: "token file") }
        if let f = files["--file"] { return try SecretReader.readFile(f, limit: Root.Import.inputLimit, what: "import file") }
        if command == "unseal", let f = files["--passphrase-file"] {
            return try SecretReader.firstLine(SecretReader.readFile(f, limit: 4096, what: "passphrase file"))
        }
        let isLoginSet = command == "login-credentials" && args.dropFirst().first == "set"
        guard ["import", "rotate", "unseal", "capture"].contains(command) || isLoginSet else { return try SecureBytes(count: 0) }
        if console.standardInputIsTerminal() {
            switch command {
            case "rotate": return try console.promptSecret("New token for \(args.dropFirst().first ?? "credential"): ")
            case "unseal": return try console.promptSecret("Vault passphrase: ")
            case "capture": throw CLIError.usage("pipe the create-account answer (JSON) into standard input")
            case "login-credentials":
                return try LoginInput.join(try console.promptSecret("Email: "), try console.promptSecret("Password: "))
            default: throw CLIError.usage("pipe JSON or CSV into standard input, or pass --file or --from-env")
            }
        }
        return try console.readStandardInput(Root.Import.inputLimit)
    }

    static func requestBody(_ args: [String], _ stdin: SecureBytes) throws -> [UInt8] {
        let argsJSON = try JSONSerialization.data(withJSONObject: args)
        var body = Array(#"{"args":"#.utf8) + Array(argsJSON) + Array(#","stdin":""#.utf8)
        var encoded = [UInt8](repeating: 0, count: Base64.encodedLength(stdin.count))
        let n = encoded.withUnsafeMutableBytes { out in stdin.withUnsafeBytes { Base64.encode($0, into: out) } }
        body += encoded.prefix(n)
        encoded.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } }
        body += Array(#""}"#.utf8)
        return body
    }
}

/// The uid the daemon runs as, for the client's `SO_PEERCRED` check: `[sockets] daemon_user`
/// when set, else the owner of the state directory (the daemon is the one that holds it).
enum DaemonUser {
    static func uid(_ config: VaultConfig, stateDir: String) throws -> uid_t {
        if let user = config.sockets.daemonUser {
            if let n = UInt32(user) { return n }
            guard let uid = SystemUsers.uid(of: user) else { throw CLIError.usage("[sockets] daemon_user \(user) does not exist") }
            return uid
        }
        var st = stat()
        guard stat(stateDir, &st) == 0 else {
            throw CLIError.usage("cannot tell which user runs the daemon (stat \(stateDir) failed); set [sockets] daemon_user")
        }
        return st.st_uid
    }
}
