import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    /// `fleet join|admit|list|remove` (Docs/fleet.md).
    struct FleetGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fleet", abstract: "The hosts sharing a PostgreSQL vault: join, admit, list, remove.",
            subcommands: [Join.self, Admit.self, List.self, Remove.self])

        struct Join: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Ask to join the fleet from this host, and wait until a member admits it.",
                discussion: """
                    Prints `join request NAME fingerprint FP`: on a member, run \
                    `vobiz-vault fleet admit NAME --fingerprint FP` after comparing FP with what this host printed. \
                    This host's master key (--key-file, created if missing, $CREDENTIALS_DIRECTORY/master.key, or \
                    --passphrase) never leaves it.
                    """)
            @OptionGroup var global: GlobalOptions

            @Option(name: .long, help: "This host's name in the fleet (default: [fleet] host, else the host name).")
            var name: String?

            @Option(name: .long, help: "How long to wait for admission (e.g. 10m).")
            var wait = "10m"

            @Flag(name: .long, help: "Protect this host's key slot with a passphrase instead of a key file.")
            var passphrase = false

            @Option(name: .long, help: "The fleet's data key fingerprint, from `fleet list` on a member: a key that differs is refused.")
            var vaultFingerprint: String?

            func run() async throws {
                let ctx = try CLIContext(global)
                let timeout = try TimeSpan(parsing: wait)
                var config = ctx.config
                if let name { config.fleet.host = try FleetHost(name).name }
                var join = FleetJoin(config: config, master: try NewMasterKey.read(ctx, passphrase: passphrase), actor: ctx.actor)
                if let vaultFingerprint {
                    _ = try SlotFingerprint.parse(vaultFingerprint)
                    join.expectedVault = vaultFingerprint
                }
                let (request, pending) = try join.request()
                ctx.console.out("join request \(request.host) fingerprint \(request.fingerprint)")
                if !ctx.json {
                    ctx.console.err("waiting up to \(wait) for a member: vobiz-vault fleet admit \(request.host) --fingerprint \(request.fingerprint)")
                }
                let taken = try await pending.wait(timeout: .seconds(timeout.seconds))
                ctx.console.out("joined: \(request.host) holds the fleet's data key (fingerprint \(taken)), wrapped by its own master key; start the daemon")
                if vaultFingerprint == nil {
                    ctx.console.err("check: the data key fingerprint \(taken) must be the one `fleet admit` printed on the member "
                        + "(or `fleet list` there); if it differs, this host was given a key that is not the fleet's")
                }
            }
        }

        struct Admit: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Admit a host that asked to join: seal the data key to its key slot.",
                discussion: "Refused unless --fingerprint is the fingerprint `fleet join` printed on that host.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The joining host's name.") var host: String
            @Option(name: .long, help: "The fingerprint `fleet join` printed on that host.") var fingerprint: String

            func run() async throws {
                let ctx = try CLIContext(global)
                let h = try await ctx.admin(needKey: true).fleetAdmit(host, fingerprint: fingerprint)
                if ctx.json { ctx.console.out(AdminJSON.encode(h)); return }
                ctx.console.out("admitted \(h.host) (fingerprint \(h.fingerprint)); its `fleet join` now takes the key "
                    + "and prints the data key fingerprint \(h.dataKeyFingerprint ?? "-"): compare the two")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The fleet's hosts: state, when each asked, joined and was last seen.")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let ctx = try CLIContext(global)
                let fleet = try await ctx.admin(needKey: false).fleet()
                if ctx.json { ctx.console.out(AdminJSON.encode(fleet)); return }
                var table = TextTable(["HOST", "STATE", "FINGERPRINT", "REQUESTED", "JOINED", "ADMITTED BY", "LAST SEEN"])
                for h in fleet.hosts {
                    table.add([h.host + (h.host == fleet.thisHost ? " (this host)" : ""), h.state, h.fingerprint, h.requestedAt,
                               h.joinedAt ?? "-", h.admittedBy ?? "-", h.lastSeen ?? "-"])
                }
                ctx.console.out(table.render())
                if let fp = fleet.dataKeyFingerprint { ctx.console.out("data key fingerprint: \(fp)") }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Delete a host's key slot; follow with `rekey --data-key` to cut out the key it already holds.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The host to remove.") var host: String

            func run() async throws {
                let ctx = try CLIContext(global)
                let r = try await ctx.admin(needKey: true).fleetRemove(host)
                if ctx.json { ctx.console.out(AdminJSON.encode(r)); return }
                ctx.console.out("removed \(host)'s key slot; now run `vobiz-vault rekey --data-key` so the data key it held opens nothing")
            }
        }
    }
}
