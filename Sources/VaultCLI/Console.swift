import Foundation
import VaultCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Where a command reads and writes. Commands never call `print` directly, so tests can run
/// them in-process and capture exactly what an operator would see.
public struct Console: Sendable {
    public var write: @Sendable (String) -> Void
    public var writeError: @Sendable (String) -> Void
    /// Reads all of standard input (at most `limit` bytes) into locked memory.
    public var readStandardInput: @Sendable (_ limit: Int) throws -> SecureBytes
    public var standardInputIsTerminal: @Sendable () -> Bool
    /// Prompts on the controlling terminal with echo off.
    public var promptSecret: @Sendable (_ prompt: String) throws -> SecureBytes
    public var environment: [String: String]

    public init(write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
                readStandardInput: @escaping @Sendable (Int) throws -> SecureBytes,
                standardInputIsTerminal: @escaping @Sendable () -> Bool,
                promptSecret: @escaping @Sendable (String) throws -> SecureBytes, environment: [String: String]) {
        self.write = write
        self.writeError = writeError
        self.readStandardInput = readStandardInput
        self.standardInputIsTerminal = standardInputIsTerminal
        self.promptSecret = promptSecret
        self.environment = environment
    }

    @TaskLocal public static var current = Console.standard

    /// The process's own stdin, stdout, stderr and terminal.
    public static var standard: Console {
        Console(
            write: { s in FileHandle.standardOutput.write(Data((s + "\n").utf8)) },
            writeError: { s in FileHandle.standardError.write(Data((s + "\n").utf8)) },
            readStandardInput: { limit in try SecretReader.readAll(fd: 0, limit: limit) },
            standardInputIsTerminal: { isatty(0) == 1 },
            promptSecret: { prompt in try SecretReader.prompt(prompt) },
            environment: ProcessInfo.processInfo.environment)
    }

    func out(_ s: String) { write(s) }
    func err(_ s: String) { writeError(s) }
}
