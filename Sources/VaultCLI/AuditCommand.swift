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
                guard n > 0 else { throw ValidationError("-n must be at least 1") }
            }

            func run() async throws {
                let ctx = try CLIContext(global)
                let events = try await ctx.withVault(needKey: false) { try await $0.auditTail(n) }
                if ctx.json {
                    ctx.console.out(JSONOutput.render(["events": events.map(\.json)]))
                } else {
                    events.forEach { ctx.console.out($0.text) }
                }
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the MAC chain; name the first edited, deleted or reordered row (exit 1 if any).")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let verdict = try await ctx.withVault(needKey: true) { try await $0.auditVerify() }
                switch verdict {
                case .intact(let rows):
                    ctx.console.out(ctx.json ? JSONOutput.render(["intact": true, "rows": rows]) : "audit chain intact: \(rows) rows")
                case .broken(let seq, let problem):
                    let message = "audit chain broken at row \(seq): \(problem.explanation)"
                    if ctx.json {
                        ctx.console.out(JSONOutput.render(["intact": false, "seq": seq, "problem": problem.rawValue, "message": message]))
                    } else {
                        ctx.console.err(message)
                    }
                    throw ExitCode(1)
                }
            }
        }

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Write every audit row as JSON Lines, with its MACs.")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let events = try await ctx.withVault(needKey: false) { try await $0.auditAll() }
                for e in events {
                    var o = e.json
                    o["prev_mac"] = Hex.encode(e.prevMAC)
                    o["mac"] = Hex.encode(e.mac)
                    ctx.console.out(JSONOutput.line(o))
                }
            }
        }
    }
}

extension AuditEvent {
    var json: [String: Any] {
        var detailObject: Any = NSNull()
        if let d = detail, let obj = try? JSONSerialization.jsonObject(with: Data(d.utf8)) { detailObject = obj }
        return [
            "seq": seq,
            "at": Timestamp.iso(atMillis / 1000),
            "at_ms": atMillis,
            "actor_uid": JSONOutput.opt(actor.map { Int($0.uid) }),
            "actor_user": JSONOutput.opt(actor?.user),
            "actor_pid": JSONOutput.opt(actor?.pid.map { Int($0) }),
            "actor_exe": JSONOutput.opt(actor?.exe),
            "op": op,
            "auth_id": JSONOutput.opt(authID),
            "version": JSONOutput.opt(version),
            "outcome": outcome.rawValue,
            "reason": JSONOutput.opt(reason),
            "detail": detailObject,
        ]
    }

    var text: String {
        var parts = [Timestamp.iso(atMillis / 1000), "#\(seq)", op, outcome.rawValue]
        if let a = authID { parts.append(a + (version.map { " v\($0)" } ?? "")) }
        if let a = actor { parts.append("by \(a.display)") }
        if let r = reason { parts.append("reason: \(r)") }
        if let d = detail { parts.append(d) }
        return parts.joined(separator: "  ")
    }
}
