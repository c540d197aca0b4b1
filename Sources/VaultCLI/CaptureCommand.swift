import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Capture: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the new customer of a create-account answer piped on stdin; print the answer with its token vaulted.",
            discussion: """
                For answers of POST /api/v1/partner/accounts obtained outside the proxy. The customer is stored \
                (version 1, source capture, linked to the partner) before anything is printed; the printed answer \
                has "auth_token": "vaulted:<fingerprint>". If storing fails, nothing is printed and the exit code \
                is 1: keep the original answer and import it.
                """)

        @OptionGroup var global: GlobalOptions

        static let inputLimit = 1 << 20

        func run() async throws {
            let ctx = try CLIContext(global)
            // The vault (or the daemon holding it) first, so a vault that cannot be reached
            // leaves stdin unread.
            let admin = try await ctx.admin(needKey: true)
            guard !ctx.console.standardInputIsTerminal() else {
                throw CLIError.usage("pipe the create-account answer (JSON) into standard input")
            }
            let result = try await admin.capture(try ctx.console.readStandardInput(Self.inputLimit))
            if ctx.json {
                ctx.console.out(AdminJSON.encode(result))
            } else {
                ctx.console.err("captured \(result.authID) (version \(result.version), fingerprint \(result.fingerprint))")
                ctx.console.out(result.answer)
            }
        }
    }
}
