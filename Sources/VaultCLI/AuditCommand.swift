import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read and verify the tamper-evident audit log.",
            subcommands: [Tail.self, Verify.self, Export.self])

        struct Tail: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the most recent audit rows.")

            @OptionGroup var global: GlobalOptions

            @Option(name: .short, help: "How many rows.")
            var n = 20

            func validate() throws {
                guard (1...10_000).contains(n) else { throw ValidationError("-n must be from 1 to 10000") }
            }

            func run() async throws {
                let ctx = try CLIContext(global)
                let page = try await ctx.admin(needKey: false).audit(after: nil, limit: String(n))
                if ctx.json {
                    ctx.console.out(AdminJSON.encode(page))
                } else {
                    page.events.forEach { ctx.console.out($0.text) }
                }
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the MAC chain; name the first edited, deleted or reordered row (exit 1 if any).")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let verdict = try await ctx.admin(needKey: true).auditVerify()
                if verdict.intact {
                    ctx.console.out(ctx.json ? AdminJSON.encode(verdict) : "audit chain intact: \(verdict.rows ?? 0) rows")
                    return
                }
                if ctx.json { ctx.console.out(AdminJSON.encode(verdict)) } else { ctx.console.err(verdict.message ?? "audit chain broken") }
                throw ExitCode(1)
            }
        }

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Write every audit row as JSON Lines, with its MACs.")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let events = try await ctx.withVault(needKey: false) { try await $0.auditAll() }
                for e in events { ctx.console.out(AdminJSON.encode(AuditEventView(e, withMACs: true), pretty: false)) }
            }
        }
    }
}
