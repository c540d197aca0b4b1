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
            // The vault first: with a daemon running this throws before stdin is consumed, and
            // the command is forwarded with it.
            let service = try await ctx.openVault(needKey: true)
            guard !ctx.console.standardInputIsTerminal() else {
                throw CLIError.usage("pipe the create-account answer (JSON) into standard input")
            }
            let input = try ctx.console.readStandardInput(Self.inputLimit)
            var answer = input.withUnsafeBytes { Array($0) }
            defer { answer.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            let result = try await service.capture(answer: answer, actor: ctx.actor, reveal: false)
            await service.checkpoint()
            if ctx.json {
                ctx.console.out(JSONOutput.render([
                    "auth_id": result.entry.authID.rawValue, "version": result.entry.version, "fingerprint": result.entry.fingerprint,
                    "answer": String(decoding: result.answer.body, as: UTF8.self),
                ]))
            } else {
                ctx.console.err("captured \(result.entry.authID) (version \(result.entry.version), fingerprint \(result.entry.fingerprint))")
                ctx.console.out(String(decoding: result.answer.body, as: UTF8.self))
            }
        }
    }
}
