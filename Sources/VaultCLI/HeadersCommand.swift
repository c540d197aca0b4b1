import ArgumentParser
import Foundation
import VaultClient
import VaultCore
import VaultCrypto
import VaultService

extension Root {
    struct Headers: AsyncParsableCommand {
        /// A body read from standard input (`--body-file -`): the proxy's largest request body.
        static let bodyLimit = 64 << 20

        static let configuration = CommandConfiguration(
            abstract: "Ask the daemon for the headers of one API request.",
            discussion: """
                --format json prints the daemon's answer; --format curl prints a header file for \
                `curl -H @file`, so the headers (and a revealed token) never reach an argv.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "HTTP method.") var method: String
        @Argument(help: "Absolute upstream URL.") var url: String
        @Option(help: "Credential (partner or an auth id), when the path implies none.") var credential: String?
        @Option(help: "json or curl.") var format = "json"
        @Option(name: .customLong("body-file"), help: "The request body (- for standard input); its SHA-256 is bound into sealed headers.") var bodyFile: String?

        func validate() throws {
            guard ["json", "curl"].contains(format) else { throw ValidationError("--format must be json or curl") }
        }

        func run() async throws {
            let ctx = try CLIContext(global)
            var body: [String: Any] = ["method": method.uppercased(), "url": url]
            if let credential { body["credential"] = credential }
            if let bodyFile {
                let data = bodyFile == "-" ? try ctx.console.readStandardInput(Self.bodyLimit).withUnsafeBytes { Array($0) }
                    : Array(try Data(contentsOf: URL(fileURLWithPath: bodyFile)))
                body["body_sha256"] = Hex.encode(SHA256.hash(data))
            }
            let response = try DaemonCall.client(ctx).send(method: "POST", path: "/v1/headers",
                                                          body: Array(try JSONSerialization.data(withJSONObject: body)))
            try DaemonCall.check(response)
            let doc = try response.body.withUnsafeBytes { try JSONParser.parse($0) }
            guard format == "curl" else {
                ctx.console.out(DaemonCall.sorted(doc))
                return
            }
            guard case .object(let headers)? = doc["headers"] else { throw CLIError.io("the daemon's answer has no headers") }
            for (name, value) in headers {
                guard case .string(let v) = value else { continue }
                ctx.console.out("\(name): \(v.plainText)")
            }
        }
    }
}
