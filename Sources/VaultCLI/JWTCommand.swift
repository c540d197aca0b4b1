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
                let list = try await ctx.admin(needKey: false).jwtSessions()
                if ctx.json {
                    ctx.console.out(AdminJSON.encode(list))
                    return
                }
                guard !list.sessions.isEmpty else {
                    ctx.console.out("no JWT sessions (set login credentials with `vobiz-vault login-credentials set partner`)")
                    return
                }
                var table = TextTable(["CREDENTIAL", "STATE", "ISSUED", "EXPIRES IN", "LAST REFRESH", "LAST ERROR"])
                for s in list.sessions {
                    let short = s.lifetimeTooShort ? " (lifetime \(s.lifetimeSeconds ?? 0) s: too short to serve)" : ""
                    table.add([s.credential, s.state + (s.hasLoginCredentials ? "" : " (no login credentials)") + short, s.issuedAt ?? "-",
                               s.expiresInText, s.lastRefreshAt ?? "-", s.lastError ?? "-"])
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
                let s = try await ctx.admin(needKey: true).jwtLogin(credential)
                ctx.console.out(ctx.json ? AdminJSON.encode(s) : "logged in \(s.credential): token expires in \(s.expiresInText)")
            }
        }

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Drop the session (the login credentials stay).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "`partner` or the partner's auth id.") var credential = "partner"

            func run() async throws {
                let ctx = try CLIContext(global)
                let answer = try await ctx.admin(needKey: true).jwtForget(credential)
                ctx.console.out(ctx.json ? AdminJSON.encode(answer) : "forgot the JWT session of \(credential)")
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
