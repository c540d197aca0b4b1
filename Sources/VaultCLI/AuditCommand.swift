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
                var after = max(0, head - Int64(n))
                while after < head {
                    let page = try await admin.audit(after: String(after), limit: String(min(Export.page, Int(head - after))), macs: false)
                    let rows = page.events.filter { $0.seq <= head }
                    out.add(rows) { [$0.text] }
                    guard let last = rows.last?.seq, last > after else { break }
                    after = last
                }
                out.finish(empty: "")
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

            /// Rows per page: each page is written before the next is asked for, so memory
            /// stays bounded on both sides however long the log is.
            static let page = 1000

            func run() async throws {
                let ctx = try CLIContext(global)
                let admin = try await ctx.admin(needKey: false)
                var after: Int64 = 0
                while true {
                    let page = try await admin.audit(after: String(after), limit: String(Self.page), macs: true)
                    for e in page.events { ctx.console.out(AdminJSON.encode(e, pretty: false)) }
                    guard let next = page.next else { return }
                    after = next
                }
            }
        }
    }
}
