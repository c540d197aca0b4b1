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
            let admin = try await ctx.admin(needKey: true)
            let summary = fromEnv ? try await admin.importInput(try environmentRecord(ctx), format: "json")
                                  : try await admin.importInput(try input(ctx), format: format)
            ctx.console.out(ctx.json ? AdminJSON.encode(summary) : summary.text)
        }

        func input(_ ctx: CLIContext) throws -> SecureBytes {
            if let file { return try SecretReader.readFile(file, limit: Self.inputLimit, what: "import file") }
            guard !ctx.console.standardInputIsTerminal() else {
                throw CLIError.usage("pipe JSON or CSV into standard input, or pass --file or --from-env")
            }
            return try ctx.console.readStandardInput(Self.inputLimit)
        }

        /// VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN as one JSON import record, built in locked memory.
        func environmentRecord(_ ctx: CLIContext) throws -> SecureBytes {
            guard let id = ctx.console.environment["VOBIZ_AUTH_ID"], let token = ctx.console.environment["VOBIZ_AUTH_TOKEN"] else {
                throw CLIError.usage("--from-env needs both VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN in the environment")
            }
            var record: [UInt8] = []
            record.reserveCapacity(token.utf8.count * 6 + id.utf8.count * 6 + (label?.utf8.count ?? 0) * 6 + 64)
            defer { record.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } } }
            record += Array("{\"auth_id\":\(JSONText.quoted(id)),\"auth_token\":".utf8)
            Array(token.utf8).withUnsafeBytes { JSONText.appendString($0, to: &record) }
            if let label { record += Array(",\"label\":\(JSONText.quoted(label))".utf8) }
            record.append(UInt8(ascii: "}"))
            return try record.withUnsafeBytes { try SecureBytes(copying: $0) }
        }
    }
}
