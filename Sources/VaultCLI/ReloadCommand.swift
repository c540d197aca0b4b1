import ArgumentParser
import VaultClient
import VaultCore

extension Root {
    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a running daemon read its configuration again, and wait for the outcome.",
            discussion: """
                The daemon's policy (its grants) is replaced by the file's. A file that does not load \
                keeps the policy in force and the command fails (exit 1) saying why: the unit's \
                ExecReload=, so `systemctl reload vobiz-vault` reports it. SIGHUP does the same \
                without an answer.
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let ctx = try CLIContext(global)
            let admin = try await ctx.admin(needKey: false)
            guard let daemon = admin as? AdminClient else {
                throw CLIError.usage("no daemon is running on this vault; reload applies to `vobiz-vault serve`")
            }
            let view = try daemon.reload()
            ctx.console.out(ctx.json ? AdminJSON.encode(view) : "reloaded: \(view.grants) grant\(view.grants == 1 ? "" : "s") in force")
        }
    }
}
