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
                guard n >= 1 else { throw ValidationError("-n must be 1 or more") }
            }

            /// The newest `n` rows, read forward a page at a time from where they start: the
            /// CLI and the daemon hold one page however many rows are asked for.
            func run() async throws {
                let ctx = try CLIContext(global)
                let admin = try await ctx.admin(needKey: false)
                var out = StreamedList(console: ctx.console, json: ctx.json, key: "events")
                guard let head = try await admin.audit(after: nil, limit: "1", macs: false).events.last?.seq else {
                    return out.finish(empty: "")
                }
                let start = max(0, head - Int64(n))
                // Pages of at most 1000 rows ending at `head`, however many are written meanwhile.
                let size = { @Sendable (after: String?) in String(min(Int64(Export.page), head - (after.flatMap { Int64($0) } ?? start))) }
                if ctx.json {
                    try await out.stream(encoded: { try await admin.auditJSON(after: $0 ?? String(start), limit: size($0), macs: false) },
                                         next: { page in page.next.flatMap { Int64($0) }.flatMap { $0 < head ? String($0) : nil } })
                } else {
                    try await out.stream({ try await admin.audit(after: $0 ?? String(start), limit: size($0), macs: false) },
                                         next: { page in page.next.flatMap { $0 < head ? String($0) : nil } },
                                         items: \.events) { [$0.text] }
                }
                out.finish(empty: "")
            }
        }

        struct Verify: AsyncParsableCommand, AnswersAQuestion {
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

            /// Rows per page: each page is written before the next is asked for, so memory
            /// stays bounded on both sides however long the log is.
            static let page = 1000

            func run() async throws {
                let ctx = try CLIContext(global)
                let admin = try await ctx.admin(needKey: false)
                // Each page asked for while the one before is written; rows as the daemon encoded them.
                var ahead: Task<EncodedPage, any Error>? = Task { try await admin.auditJSON(after: "0", limit: String(Self.page), macs: true) }
                while let current = ahead {
                    let page = try await current.value
                    ahead = page.next.map { next in Task { try await admin.auditJSON(after: next, limit: String(Self.page), macs: true) } }
                    if !page.rows.isEmpty { ctx.console.out(page.rows.joined(separator: "\n")) }
                }
            }
        }
    }
}
