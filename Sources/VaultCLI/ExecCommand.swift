import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto
#if canImport(Glibc)
import Glibc
#endif

extension Root {
    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a program with VOBIZ_AUTH_ID and VOBIZ_AUTH_TOKEN set (needs a grant with reveal = true), or, with --proxy, without the token.",
            discussion: """
                For tools such as the Vobiz SDK that read the credential from the environment. With --proxy the \
                program gets a stand-in token and VOBIZ_BASE_URL, a loopback listener of its own that attaches \
                the real token (needs a grant with proxy); exit status: the program's, 125 refused by the vault, \
                126 not runnable, 127 not found.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "partner or an auth id.") var credential: String
        @Flag(help: "Give the program no token: a stand-in and VOBIZ_BASE_URL, a listener of its own that attaches the token.")
        var proxy = false
        @Argument(parsing: .captureForPassthrough, help: "-- CMD [ARGS…]") var command: [String] = []

        func run() async throws {
            let argv = command.first == "--" ? Array(command.dropFirst()) : command
            guard let program = argv.first else { throw ValidationError("give the program to run after --") }
            if proxy { runProxied(argv) }
            let ctx = try CLIContext(global)
            let base = ctx.config.upstream.baseURL.hasSuffix("/") ? String(ctx.config.upstream.baseURL.dropLast()) : ctx.config.upstream.baseURL
            let isPartner = credential == "partner" || credential.hasPrefix("PA_")
            let url = isPartner ? base + "/api/v1/partner/" : base + "/api/v1/Account/\(credential)/"
            let body = try JSONSerialization.data(withJSONObject: ["method": "GET", "url": url])
            let response = try DaemonCall.client(ctx).send(method: "POST", path: "/v1/headers", body: Array(body))
            try DaemonCall.check(response)
            let doc = try response.body.withUnsafeBytes { try JSONParser.parse($0) }
            guard case .string(let token)? = doc["headers"]?["X-Auth-Token"], case .string(let id)? = doc["headers"]?["X-Auth-ID"] else {
                throw CLIError.usage("the grant for \(credential) does not reveal the token (reveal = true is needed for exec)")
            }
            setenv("VOBIZ_AUTH_ID", id.plainText, 1)
            _ = token.withUnsafeBytes { t in
                var z = Array(t) + [0]
                defer { for i in z.indices { z[i] = 0 } }
                return z.withUnsafeBufferPointer { p in p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: z.count) { setenv("VOBIZ_AUTH_TOKEN", $0, 1) } }
            }
            token.wipe()
            var cargs = argv.map { strdup($0) } + [nil]
            execvp(program, &cargs)
            throw CLIError.io("cannot run \(program): \(String(cString: strerror(errno)))")
        }

        /// Never returns: exits with the program's status (`ExecProxy`), or 125 when the vault
        /// cannot be asked (no configuration, no daemon user) or refuses.
        func runProxied(_ argv: [String]) -> Never {
            let ctx: CLIContext
            let run: ExecProxy
            do {
                ctx = try CLIContext(global)
                run = ExecProxy(client: try DaemonCall.client(ctx), credential: credential, argv: argv)
            } catch {
                FileHandle.standardError.write(Data("vobiz-vault: error: \(error)\n".utf8))
                Glibc.exit(ExecProxy.refusedStatus)
            }
            do {
                Glibc.exit(try run.run())
            } catch {
                ctx.console.err("vobiz-vault: error: \(error)")
                Glibc.exit(error.status)
            }
        }
    }
}
