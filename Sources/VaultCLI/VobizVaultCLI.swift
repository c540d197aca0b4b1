import ArgumentParser
import Foundation
import VaultCore
import VaultServer
import VaultService
import VaultStore
import VaultCrypto
import VaultClient

/// Runs the CLI: parse, run, and turn every error into one line on stderr and an exit code.
/// The executable's `main` and the tests both come through here.
public enum VobizVaultCLI {
    /// Exit code of a failed command (usage errors use 64, as swift-argument-parser does).
    public static let failure: Int32 = 1

    public static func main() async -> Never {
        // Everything the vault creates (database, WAL, lock, key files) is private to its user.
        umask(0o077)
        let code = await run(Array(CommandLine.arguments.dropFirst()), console: .standard)
        exit(code)
    }

    public static func run(_ arguments: [String], console: Console) async -> Int32 {
        await Console.$current.withValue(console) {
            var command: any ParsableCommand
            do {
                command = try Root.parseAsRoot(arguments)
            } catch {
                let code = Root.exitCode(for: error).rawValue
                let message = Root.fullMessage(for: error)
                if !message.isEmpty { code == 0 ? console.write(message) : console.writeError(message) }
                return code
            }
            do {
                if var async = command as? any AsyncParsableCommand {
                    try await async.run()
                } else {
                    try command.run()
                }
                return 0
            } catch let exit as ExitCode {
                return exit.rawValue
            } catch let usage as ValidationError {
                console.writeError("vobiz-vault: error: \(usage.message)")
                return ExitCode.validationFailure.rawValue
            } catch let e as ConfigError {
                console.writeError("vobiz-vault: error: \(e.description)")
                console.writeError("(a running daemon keeps its last good configuration; reach it with --state-dir and --admin-socket)")
                return (command as? any FailureExitCode).map { type(of: $0).failureExitCode } ?? failure
            } catch let e as any OperatorFacingError {
                console.writeError("vobiz-vault: error: \(e.description)")
                return (command as? any FailureExitCode).map { type(of: $0).failureExitCode } ?? failure
            } catch {
                // Help requests and other parser outcomes raised while running.
                let code = Root.exitCode(for: error).rawValue
                let message = Root.fullMessage(for: error)
                if !message.isEmpty { code == 0 ? console.write(message) : console.writeError(message) }
                return code == 0 ? 0 : ((command as? any FailureExitCode).map { type(of: $0).failureExitCode } ?? code)
            }
        }
    }

}

/// Errors whose description is written for operators and holds no secret: printed as is.
protocol OperatorFacingError: Error, CustomStringConvertible {}

extension ServiceError: OperatorFacingError {}
extension DaemonError: OperatorFacingError {}
extension ConfigError: OperatorFacingError {}
extension CoreError: OperatorFacingError {}
extension CLIError: OperatorFacingError {}
extension ImportParser.Failure: OperatorFacingError {}

/// A command whose failures need another exit code than 1 (e.g. `remind`, where 1 and 2 are findings).
protocol FailureExitCode {
    static var failureExitCode: Int32 { get }
}

/// A command that answers yes or no (`audit verify`, `policy check`, `verify-callback`,
/// `doctor`): 0 yes, 1 no (a broken chain, a denial, a bad signature, a problem found), 2 the
/// question could not be answered (no key, no daemon, bad input), as grep and diff do, so a
/// script never reads a failure as a "no".
protocol AnswersAQuestion: FailureExitCode {}

extension AnswersAQuestion {
    static var failureExitCode: Int32 { 2 }
}
extension StoreError: OperatorFacingError {}
extension ClientError: OperatorFacingError {}
extension AdminClientError: OperatorFacingError {}
extension CryptoError: OperatorFacingError {}
