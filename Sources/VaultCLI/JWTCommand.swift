import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct JWTGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "jwt", abstract: "The partner's JWT session: status, a login now, or forget it.",
            subcommands: [Status.self, Login.self, Forget.self])

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the JWT session: issued, expires in, last refresh, last error.")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let service = try await ctx.openVault(needKey: false)
                let sessions = try await service.jwtStatus()
                let now = service.clock.seconds
                if ctx.json {
                    ctx.console.out(JSONOutput.render(["sessions": sessions.map { $0.json(now: now) }]))
                    return
                }
                guard !sessions.isEmpty else {
                    ctx.console.out("no JWT sessions (set login credentials with `vobiz-vault login-credentials set partner`)")
                    return
                }
                var table = TextTable(["CREDENTIAL", "STATE", "ISSUED", "EXPIRES IN", "LAST REFRESH", "LAST ERROR"])
                for s in sessions {
                    table.add([s.authID.rawValue, s.state + (s.hasLoginCredentials ? "" : " (no login credentials)"),
                               s.issuedAt.map(Timestamp.iso) ?? "-", s.expiresInText(now: now),
                               s.lastRefreshAt.map(Timestamp.iso) ?? "-", s.lastError ?? "-"])
                }
                ctx.console.out(table.render())
            }
        }

        struct Login: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Log in now (also after a failed login; the session then works again if the login succeeds).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "`partner` or the partner's auth id.") var credential = "partner"

            func run() async throws {
                let ctx = try CLIContext(global)
                let service = try await ctx.openVault(needKey: true)
                let client = try UpstreamClient(config: ctx.config.upstream)
                let status: JWTSessionStatus?
                do {
                    status = try await service.forceLogin(credential, upstream: client)
                    await client.shutdown()
                } catch {
                    await client.shutdown()
                    throw error
                }
                await service.checkpoint()
                let now = service.clock.seconds
                if ctx.json {
                    ctx.console.out(JSONOutput.render(status.map { $0.json(now: now) } ?? [:]))
                } else if let s = status {
                    ctx.console.out("logged in \(s.authID): token expires in \(s.expiresInText(now: now))")
                }
            }
        }

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Drop the session (the login credentials stay).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "`partner` or the partner's auth id.") var credential = "partner"

            func run() async throws {
                let ctx = try CLIContext(global)
                let service = try await ctx.openVault(needKey: true)
                try await service.forgetSession(credential, actor: ctx.actor)
                await service.checkpoint()
                ctx.console.out(ctx.json ? JSONOutput.render(["forgotten": credential]) : "forgot the JWT session of \(credential)")
            }
        }
    }

    struct LoginCredentialsGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "login-credentials", abstract: "The email and password of the partner's JWT login.",
            subcommands: [Set.self, Forget.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Store the email and password: from stdin (email on the first line, password on the second) or prompts.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "`partner` or the partner's auth id.") var credential: String

            func run() async throws {
                let ctx = try CLIContext(global)
                let admin = try await ctx.admin(needKey: true)
                let answer = try await admin.setLoginCredentials(credential, secret: try LoginInput.read(ctx))
                ctx.console.out(ctx.json ? AdminJSON.encode(answer) : "stored the login credentials of \(credential)")
            }
        }

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove the email, the password and the session.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "`partner` or the partner's auth id.") var credential: String

            func run() async throws {
                let ctx = try CLIContext(global)
                let answer = try await ctx.admin(needKey: true).forgetLoginCredentials(credential)
                ctx.console.out(ctx.json ? AdminJSON.encode(answer) : "forgot the login credentials of \(credential)")
            }
        }
    }
}

/// The email and password: `email\npassword` on stdin, or two no-echo prompts at a terminal.
enum LoginInput {
    static func read(_ ctx: CLIContext) throws -> SecureBytes {
        if ctx.console.standardInputIsTerminal() {
            let email = try ctx.console.promptSecret("Email: ")
            let password = try ctx.console.promptSecret("Password: ")
            return try join(email, password)
        }
        return try ctx.console.readStandardInput(8192)
    }

    static func join(_ email: SecureBytes, _ password: SecureBytes) throws -> SecureBytes {
        try email.withUnsafeBytes { e in try password.withUnsafeBytes { p in try LoginSecret.join(e, p) } }
    }
}

extension JWTSessionStatus {
    func json(now: Int64) -> [String: Any] {
        [
            "credential": authID.rawValue,
            "state": state,
            "has_login_credentials": hasLoginCredentials,
            "issued_at": JSONOutput.opt(issuedAt.map(Timestamp.iso)),
            "expires_at": JSONOutput.opt(expiresAt.map(Timestamp.iso)),
            "expires_in_seconds": JSONOutput.opt(state == "valid" ? expiresAt.map { max(0, $0 - now) } : nil),
            "last_refresh_at": JSONOutput.opt(lastRefreshAt.map(Timestamp.iso)),
            "last_error": JSONOutput.opt(lastError),
            "retry_at": JSONOutput.opt(retryAt.map(Timestamp.iso)),
        ]
    }

    func expiresInText(now: Int64) -> String {
        guard state == "valid", let e = expiresAt else { return "-" }
        let left = e - now
        return left <= 0 ? "expired" : (left >= 120 ? "\(left / 60) min" : "\(left) s")
    }
}
