import ArgumentParser
import Foundation
import VaultCore
import VaultService
#if canImport(Glibc)
import Glibc
#endif

extension Root {
    struct PolicyGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "policy", abstract: "Inspect the grants.",
                                                        subcommands: [Check.self])

        struct Check: AsyncParsableCommand {
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
                var policy = ctx.config.policy
                var note: String?
                var partner: AuthID?
                // The vault's credentials, when it can be read (nil: not checked).
                var accounts: [AccountInfo]?
                if let session = DaemonSession.current {
                    policy = await session.service.currentPolicy
                    note = await session.service.reloadError
                    partner = try? await session.service.resolveAuthID("partner")
                    accounts = try? await session.service.list()
                } else if let service = try? await ctx.openVault(needKey: false) {
                    partner = try? await service.resolveAuthID("partner")
                    accounts = try? await service.list()
                } else {
                    // A daemon holding the vault answers for the policy it has in force.
                    _ = try StateDirectory(ctx.config.vault.stateDir).lock(exclusive: false)
                }
                let request = try policyRequest(ctx, op, partner: partner)
                let caller = Caller(uid: uid, gid: gid ?? SystemUsers.primaryGID(of: uid) ?? uid, pid: 0,
                                    user: nil, groups: groups(), exe: exe, unit: unit, startTime: 0)
                if let note { ctx.console.out("note: the configuration file does not load (\(note)); the daemon keeps the policy below") }
                if let accounts {
                    if let refusal = Self.credentialRefusal(request.credential, accounts: accounts, partnerKnown: partner != nil) {
                        ctx.console.out("denied: " + refusal)
                        throw ExitCode(1)
                    }
                } else {
                    ctx.console.out("note: the vault could not be read; whether it holds the credential is not checked")
                }
                let implied = try ScopedURL(url, upstream: Upstream(baseURL: ctx.config.upstream.baseURL)).implied
                let applicable = implied == .none ? VaultCore.Policy(grants: policy.grants.filter(\.pathsExplicit)) : policy
                if implied == .none { ctx.console.out("note: the path is outside the partner and customer trees; only grants with paths written out apply") }
                switch applicable.decide(caller, request) {
                case .allowed(let g):
                    ctx.console.out("allowed by grant \"\(g.name)\" (\(g.reveal ? "revealed" : "sealed") headers\(g.rate.map { ", \($0) requests/s" } ?? ""))")
                case .denied(let reasons):
                    ctx.console.out(reasons.isEmpty ? "denied: the policy has no grants" : "denied:")
                    for r in reasons { ctx.console.out("  grant \"\(r.grant)\": " + r.reasons.joined(separator: "; ")) }
                    throw ExitCode(1)
                }
            }

            func policyRequest(_ ctx: CLIContext, _ op: GrantOperation, partner: AuthID?) throws -> PolicyRequest {
                let scoped = try ScopedURL(url, upstream: Upstream(baseURL: ctx.config.upstream.baseURL))
                let placeholder = try AuthID("PA_PARTNER")
                let named = try credential.map { $0 == "partner" ? (partner ?? placeholder) : try AuthID($0) }
                let id: AuthID
                switch scoped.implied {
                case .partner:
                    if let n = named, n.kind != .partner { throw ScopeError.mismatch(path: scoped.path, named: n.rawValue) }
                    id = named ?? partner ?? placeholder
                case .customer(let c):
                    if let n = named, n != c { throw ScopeError.mismatch(path: scoped.path, named: n.rawValue) }
                    id = c
                case .none:
                    guard let n = named else { throw ScopeError.credentialRequired }
                    id = n
                }
                return PolicyRequest(operation: op, credential: id, method: method.uppercased(), path: scoped.path)
            }

            /// Why the daemon would refuse `id` before consulting any grant, as it does: a credential
            /// the vault does not hold (`unknown_credential`) or one not active (`credential_revoked`).
            static func credentialRefusal(_ id: AuthID, accounts: [AccountInfo], partnerKnown: Bool) -> String? {
                if id.kind == .partner && !partnerKnown {
                    return "this vault holds no partner credential (the daemon answers unknown_credential); import it first"
                }
                guard let account = accounts.first(where: { $0.authID == id }) else {
                    return "no credential \(id.rawValue) in this vault (the daemon answers unknown_credential); import it first"
                }
                guard account.state == .active else {
                    return "\(id.rawValue) is \(account.state.rawValue) (the daemon answers credential_revoked); rotate it before use"
                }
                return nil
            }

            /// The user's supplementary groups, as the kernel would give its processes.
            func groups() -> [UInt32] {
                var pwd = passwd(), result: UnsafeMutablePointer<passwd>?
                var buffer = [CChar](repeating: 0, count: 4096)
                guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else { return [] }
                var count: Int32 = 64
                var list = [gid_t](repeating: 0, count: 64)
                guard getgrouplist(name, pwd.pw_gid, &list, &count) >= 0 else { return [] }
                return Array(list.prefix(Int(count)))
            }
        }
    }
}
extension ScopeError: OperatorFacingError {}
