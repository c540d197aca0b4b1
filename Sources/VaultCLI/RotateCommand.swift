import ArgumentParser
import VaultCore
import VaultService

extension Root {
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a new token version; the old one stays `previous` until its grace ends.",
            discussion: """
                The new token is read from stdin, a no-echo prompt, or --token-file; never from the command line.

                When the grace ends, the old version is destroyed by the running daemon within seconds, or else by \
                the next command that holds the master key (any command given --key-file, for one); commands run \
                without the key destroy nothing.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "An auth id (PA_… or MA_…) or `partner`.")
        var credential: String

        @Option(name: .long, help: "Why (recorded with the version and in the audit log).")
        var reason: String?

        @Option(name: .long, help: "How long to keep the old version (default [rotation] grace; 0 destroys it now).")
        var grace: String?

        @Option(name: .customLong("token-file"), help: "Read the new token from this file (mode 0600 or 0400).")
        var tokenFile: String?

        @Flag(name: .long, help: "Check the new token with Vobiz first (GET /api/v1/partner/me or /api/v1/Account/{id}/); refuse on 401/403 or no usable answer.")
        var verify = false

        @Flag(name: .customLong("no-verify"), help: "Do not check the new token with Vobiz, even when [rotation] verify = true.")
        var noVerify = false

        func validate() throws {
            if verify && noVerify { throw ValidationError("--verify and --no-verify cannot be combined") }
        }

        func run() async throws {
            let ctx = try CLIContext(global)
            if let grace { _ = try TimeSpan(parsing: grace) }
            let admin = try await ctx.admin(needKey: true)
            let token = try TokenInput.read(ctx, file: tokenFile, prompt: "New token for \(credential): ")
            let r = try await admin.rotate(credential, token: token, reason: reason, grace: grace,
                                           verify: verify ? true : (noVerify ? false : nil))
            ctx.console.out(ctx.json ? AdminJSON.encode(r) : r.text(verb: "rotated"))
        }
    }
}
