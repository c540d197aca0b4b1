import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    /// `store migrate` (Docs/cli.md).
    struct StoreGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store", abstract: "Where the vault's rows live: copy them to another backend.",
            subcommands: [Migrate.self])

        struct Migrate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Copy the vault into an empty PostgreSQL database or a new SQLite file (the daemon must be stopped).",
                discussion: """
                    Copies every row of the vault the configuration names, the audit log verbatim, in one \
                    transaction; verifies the audit chain before and after, and compares every table. A target \
                    that holds a vault or rows, or a path that exists, is refused and left as it was. Needs the \
                    master key. A PostgreSQL copy holds one key slot, this host's (--host): other hosts join it \
                    again with `fleet join`.
                    """)

            @OptionGroup var global: GlobalOptions

            @Option(help: "postgresql://USER@HOST:PORT/DB, postgresql:///DB?host=/socket/dir&user=USER, or sqlite:PATH (a new file).")
            var to: String

            @Option(name: .customLong("password-file"), help: "The PostgreSQL password, in a file of yours with mode 0400 or 0600.")
            var passwordFile: String?

            @Option(help: "disable, require or verify-full (default: disable to a socket or this host, else verify-full).")
            var tls: String?

            @Option(name: .customLong("ca-file"), help: "CA certificates for --tls verify-full (default: the system's).")
            var caFile: String?

            @Option(help: "This host's name in the copy's key slot (default: [fleet] host, else the host name).")
            var host: String?

            func run() async throws {
                let ctx = try CLIContext(global)
                let target = try StoreTarget(parsing: to, passwordFile: passwordFile, tls: tls, caFile: caFile, host: host, config: ctx.config)
                let r = try await StoreMigration(config: ctx.config, target: target, actor: ctx.actor).run(unlock: ctx.keyProvider())
                if ctx.json {
                    ctx.console.out(JSONOutput.render(r.json))
                    return
                }
                let rows = ["accounts", "token_versions", "login_credentials", "jwt_sessions", "signing_keys", "audit_events"]
                    .map { "\($0) \(r.rows[$0] ?? 0)" }.joined(separator: ", ")
                ctx.console.out("copied vault \(r.vaultID) from \(r.from) to \(r.target): \(rows)")
                ctx.console.out("audit chain intact on the copy: \(r.auditRows) rows, the last one store-migrate")
                switch target {
                case .postgres(let s):
                    ctx.console.out("""
                        to use it: [store] backend = "postgres", url = "\(s.url)"; [fleet] host = "\(s.host)" (its key slot); \
                        other hosts run `vobiz-vault fleet join`
                        """)
                case .sqlite(let path):
                    ctx.console.out("to use it: move \(path) to vault.db in a state directory of its own (mode 0700), with [store] backend = \"sqlite\"")
                }
            }
        }
    }
}

extension StoreMigration.Report {
    var json: [String: Any] {
        var out: [String: Any] = ["from": from, "source": source, "to": to, "target": target, "vault_id": vaultID, "rows": rows,
                                  "audit_rows": auditRows, "chain": "intact"]
        if let host { out["host"] = host }
        return out
    }
}
