import Foundation
import VaultTestSupport
import Synchronization
@testable import VaultCLI
@testable import VaultCrypto

/// What one in-process CLI run printed and returned.
struct Run {
    let code: Int32
    let out: String
    let err: String
    var all: String { out + "\n" + err }
}

/// A temporary vault directory plus the helpers to run `vobiz-vault` against it in-process.
final class CLIHarness: Sendable {
    let root: String
    let canary = "CANARY" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20)
    /// Every output of every run, for the leak check at the end of a test.
    private let transcript = Mutex<[String]>([])

    init() throws {
        root = try SuiteSweep.makeRoot("vv-cli-")
        SuiteSweep.canary("prefix", canary)
    }

    deinit {
        SuiteSweep.keep(transcript.withLock { $0 }, at: root + "/transcript.out")
        SuiteSweep.remove(root)
    }

    var stateDir: String { root + "/state" }
    var keyFile: String { root + "/master.key" }
    var base: [String] { ["--state-dir", stateDir] }
    var keyed: [String] { base + ["--key-file", keyFile] }

    func token(_ s: String) -> String { canary + s }

    /// Runs the CLI with `stdin` as standard input (nil: a terminal that cannot be prompted on).
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], prompts: [String] = []) async -> Run {
        let out = Mutex<[String]>([]), err = Mutex<[String]>([])
        let answers = Mutex<[String]>(prompts)
        let console = Console(
            write: { s in out.withLock { $0.append(s) } },
            writeError: { s in err.withLock { $0.append(s) } },
            readStandardInput: { limit in
                let bytes = Array((stdin ?? "").utf8)
                if bytes.count > limit { throw CLIError.inputTooLarge(limit: limit) }
                return try bytes.withUnsafeBytes { try SecureBytes(copying: $0) }
            },
            standardInputIsTerminal: { stdin == nil },
            promptSecret: { _ in
                guard let a = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { throw CLIError.noTerminal }
                return try Array(a.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
            },
            environment: env)
        let code = await VobizVaultCLI.run(args, console: console)
        let r = Run(code: code, out: out.withLock { $0.joined(separator: "\n") }, err: err.withLock { $0.joined(separator: "\n") })
        transcript.withLock { $0.append(r.all) }
        return r
    }

    func json(_ r: Run) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
    }

    /// Whether any output so far, or any byte of the vault's files, holds a canary.
    func leaks() throws -> [String] {
        var found = transcript.withLock { $0 }.filter { $0.contains(canary) }.map { "output: \($0.prefix(80))" }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: stateDir) {
            for n in names where (try Data(contentsOf: URL(fileURLWithPath: stateDir + "/" + n))).range(of: Data(canary.utf8)) != nil {
                found.append("file: \(n)")
            }
        }
        return found
    }

    func digests() throws -> [String: Data] {
        var out: [String: Data] = [:]
        for n in try FileManager.default.contentsOfDirectory(atPath: stateDir) {
            out[n] = try Data(contentsOf: URL(fileURLWithPath: stateDir + "/" + n))
        }
        return out
    }

    func writeSecretFile(_ name: String, _ content: String, mode: Int = 0o600) -> String {
        let p = root + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(content.utf8), attributes: [.posixPermissions: mode])
        SuiteSweep.input(p)
        return p
    }

    /// init + a partner and two customers.
    func populated() async throws -> Run {
        let i = await run(["init"] + keyed)
        guard i.code == 0 else { return i }
        return await run(["import"] + keyed, stdin: """
            [{"auth_id":"PA_MAIN","auth_token":"\(token("p"))","label":"Main partner"},
             {"auth_id":"MA_ACME","auth_token":"\(token("a"))","label":"Acme"},
             {"auth_id":"MA_BETA","auth_token":"\(token("b"))"}]
            """)
    }
}
