import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import credentials from JSON or CSV on stdin (or --file), or from the environment.",
            discussion: """
                JSON: one object or an array of {auth_id, auth_token, label?, kind?}; the raw response of \
                POST /api/v1/partner/accounts is accepted as is. CSV: auth_id,auth_token,label per line \
                (an auth_id,... header line is skipped). --from-env reads VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN. \
                All or nothing: one bad record and nothing is imported.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Read from this file (owned by you, mode 0600 or 0400) instead of stdin.")
        var file: String?

        @Option(name: .long, help: "json or csv (default: detected from the first character).")
        var format: String?

        @Flag(name: .customLong("from-env"), help: "Import VOBIZ_AUTH_ID / VOBIZ_AUTH_TOKEN from the environment.")
        var fromEnv = false

        @Option(name: .long, help: "Label for the credential imported with --from-env.")
        var label: String?

        static let inputLimit = 16 << 20

        func validate() throws {
            if fromEnv && file != nil { throw ValidationError("--from-env and --file cannot be combined") }
            if let f = format, ImportParser.Format(rawValue: f) == nil { throw ValidationError("--format must be json or csv") }
            if label != nil && !fromEnv { throw ValidationError("--label applies to --from-env only; put labels in the JSON or CSV") }
        }

        func run() async throws {
            let ctx = try CLIContext(global)
            let service = try await ctx.openVault(needKey: true)
            let summary: ImportSummary
            if fromEnv {
                summary = try await service.importRecords([try environmentRecord(ctx)], actor: ctx.actor)
            } else {
                summary = try await service.importInput(try input(ctx), format: format.flatMap(ImportParser.Format.init(rawValue:)),
                                                         actor: ctx.actor)
            }
            await service.checkpoint()
            ctx.console.out(ctx.json ? JSONOutput.render(summary.json) : summary.text)
        }

        func input(_ ctx: CLIContext) throws -> SecureBytes {
            if let file { return try SecretReader.readFile(file, limit: Self.inputLimit, what: "import file") }
            guard !ctx.console.standardInputIsTerminal() else {
                throw CLIError.usage("pipe JSON or CSV into standard input, or pass --file or --from-env")
            }
            return try ctx.console.readStandardInput(Self.inputLimit)
        }

        func environmentRecord(_ ctx: CLIContext) throws -> ImportRecord {
            guard let id = ctx.console.environment["VOBIZ_AUTH_ID"], let token = ctx.console.environment["VOBIZ_AUTH_TOKEN"] else {
                throw CLIError.usage("--from-env needs both VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN in the environment")
            }
            return try ImportRecord(authID: id, token: SecretScratch(Array(token.utf8)), label: label)
        }
    }
}

extension ImportSummary {
    var json: [String: Any] {
        func entry(_ e: Entry) -> [String: Any] {
            ["auth_id": e.authID.rawValue, "kind": e.kind.rawValue, "version": e.version, "fingerprint": e.fingerprint]
        }
        return ["imported": imported.map(entry), "unchanged": unchanged.map(entry), "linked": linked.map(\.rawValue)]
    }

    var text: String {
        var lines = imported.map { "imported \($0.authID) (\($0.kind.rawValue), version \($0.version), fingerprint \($0.fingerprint))" }
        lines += unchanged.map { "unchanged \($0.authID): the same token is already active (version \($0.version))" }
        if !linked.isEmpty { lines.append("linked \(linked.count) existing customer(s) to the partner") }
        lines.append("\(imported.count) imported, \(unchanged.count) unchanged")
        return lines.joined(separator: "\n")
    }
}
