import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    struct PolicyGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "policy", abstract: "Inspect the grants.",
                                                        subcommands: [Check.self])

        struct Check: AsyncParsableCommand, AnswersAQuestion {
            static let configuration = CommandConfiguration(
                abstract: "Say which grant allows a request, or every reason none does (exit 1 when denied).",
                discussion: """
                    With a daemon running, the policy it holds is checked (and a config file that failed to \
                    reload is reported); otherwise the policy in the configuration file. When the vault can \
                    be read, a credential it does not hold (or holds revoked) is reported as the daemon \
                    would refuse it, before any grant is consulted.
                    """)

            @OptionGroup var global: GlobalOptions
            @Option(help: "Caller uid.") var uid: UInt32
            @Option(help: "Caller primary gid (default: the user's).") var gid: UInt32?
            @Option(help: "Caller executable path.") var exe: String?
            @Option(help: "Caller systemd unit.") var unit: String?
            @Option(help: "Credential the caller names (partner or an auth id).") var credential: String?
            @Option(help: "headers, proxy, jwt or verify_callback.") var operation = "headers"
            @Argument(help: "HTTP method.") var method: String
            @Argument(help: "Absolute upstream URL.") var url: String

            func run() async throws {
                let ctx = try CLIContext(global)
                guard let op = GrantOperation(rawValue: operation) else { throw ValidationError("unknown operation \(operation)") }
                let query = PolicyCheck.Query(operation: op, credential: credential, method: method, url: url)
                // A daemon holding the vault answers for the policy it has in force; a vault that
                // cannot be read at all leaves the configuration file's policy, unchecked credentials.
                let view: PolicyCheckView
                if let admin = try? await ctx.admin(needKey: false) {
                    view = try await admin.policyCheck(query, uid: uid, gid: gid, exe: exe, unit: unit)
                } else {
                    let check = PolicyCheck(policy: ctx.config.policy, upstream: try Upstream(baseURL: ctx.config.upstream.baseURL),
                                            reloadError: nil, partner: nil, accounts: nil)
                    view = try check.run(query, caller: SystemUsers.caller(uid: uid, gid: gid, exe: exe, unit: unit))
                }
                if ctx.json { ctx.console.out(AdminJSON.encode(view)) } else { view.lines.forEach { ctx.console.out($0) } }
                if !view.allowed { throw ExitCode(1) }
            }
        }
    }
}
extension ScopeError: OperatorFacingError {}
