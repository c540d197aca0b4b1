import Foundation
import Testing
import VaultTestSupport

/// The real `vobiz-vault` executable, run as an operator or a cron job would run it.
enum Binary {
    /// Beside the test bundle in the build directory, or `$VOBIZ_VAULT_BIN`.
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["VOBIZ_VAULT_BIN"] { return p }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return dir.appendingPathComponent("vobiz-vault").path
    }

    struct Result {
        let code: Int32
        let out: String
        let err: String
        var all: String { out + err }
    }

    /// Runs the binary (or `executable`) to completion (at most `timeout` seconds, then SIGKILL
    /// and `TimeoutError`) with `stdin` as its input.
    static func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], timeout: Double = 60,
                    executable: String? = nil) throws -> Result {
        let p = try start(args, stdin: stdin, env: env, executable: executable)
        let deadline = Date().addingTimeInterval(timeout)
        // Both pipes drain at once, so a child that fills one while we read the other cannot stall.
        let out = Drain(p.out), err = Drain(p.err)
        while p.process.isRunning {
            if Date() > deadline {
                // SIGKILL: children of the test process inherit its blocked signals, SIGTERM among them.
                // Not waited for: a grandchild holding the pipes would hold this thread too.
                kill(p.process.processIdentifier, SIGKILL)
                throw TimeoutError(args: args)
            }
            usleep(1000)
        }
        p.process.waitUntilExit()
        return Result(code: p.process.terminationStatus, out: String(decoding: out.data(), as: UTF8.self),
                      err: String(decoding: err.data(), as: UTF8.self))
    }

    /// Reads a pipe to its end on a thread of its own.
    final class Drain: @unchecked Sendable {
        // @unchecked: `bytes` is written once before `done` is signalled and read only after.
        private var bytes = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                bytes = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func data() -> Data {
            done.wait()
            return bytes
        }
    }

    struct Running {
        let process: Process
        let out: Pipe
        let err: Pipe
    }

    struct TimeoutError: Error { let args: [String] }

    static func start(_ args: [String], stdin: String? = nil, env: [String: String] = [:], executable: String? = nil) throws -> Running {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? path)
        p.arguments = args
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        environment.merge(env) { $1 }
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        return Running(process: p, out: out, err: err)
    }
}

/// A scratch directory for one end-to-end test, with canary tokens unique to it.
final class Scratch {
    let root: String
    let canary = "CANARY" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24)
    var captured: [String] = []

    init() throws {
        root = try SuiteSweep.makeRoot("vv-e2e-")
        SuiteSweep.canary("prefix", canary)
    }

    deinit {
        SuiteSweep.keep(captured, at: root + "/captured.out")
        SuiteSweep.remove(root)
    }

    var state: String { root + "/state" }
    var key: String { root + "/master.key" }
    var keyed: [String] { ["--state-dir", state, "--key-file", key] }
    var readOnly: [String] { ["--state-dir", state] }

    func token(_ s: String) -> String { canary + s }

    /// Runs the binary and keeps its output for the leak sweep.
    @discardableResult
    func vv(_ args: [String], stdin: String? = nil, env: [String: String] = [:], timeout: Double = 60) throws -> Binary.Result {
        let r = try Binary.run(args, stdin: stdin, env: env, timeout: timeout)
        captured.append(r.out)
        captured.append(r.err)
        return r
    }

    func files() throws -> [String: Data] {
        var out: [String: Data] = [:]
        for n in try FileManager.default.contentsOfDirectory(atPath: state) {
            var isDirectory: ObjCBool = false
            // A filesystem's own lost+found when the state directory is a mount point.
            if FileManager.default.fileExists(atPath: state + "/" + n, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            out[n] = try Data(contentsOf: URL(fileURLWithPath: state + "/" + n))
        }
        return out
    }

    /// Every place a canary must not be: captured output and every byte of every state file.
    func canaryHits() throws -> [String] {
        var hits = captured.filter { $0.contains(canary) }.map { "output: " + $0.prefix(100) }
        for (name, bytes) in try files() where bytes.range(of: Data(canary.utf8)) != nil { hits.append("file: " + name) }
        return hits
    }
}
