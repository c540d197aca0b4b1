import Foundation

/// The command line of vault-bench (see main.swift for the modes).
struct Options {
    static let usage = """
        usage: vault-bench [--socket PATH] [--connections N] [--duration SECONDS] [--rate REQ_PER_S] [--json] [--no-floor]
                           [--url URL [--method M] [--credential ID]]
                           [--proxy PATH [--direct HOST:PORT] [--upstream-delay MS]]
                           [--verify ID --token-file FILE]
               vault-bench --mock PORT
        """

    /// A bad command line: the problem and the usage on stderr, exit status 2.
    static func fail(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("vault-bench: \(problem)\n\(usage)\n".utf8))
        exit(2)
    }

    var socket = "/run/vobiz-vault/vault.sock"
    var connections = 16
    var duration = 10.0
    var url = ""
    var method = "GET"
    var credential: String?
    var json = false
    var skipFloor = false
    /// Upstream path to request through `/v1/proxy`, and the upstream to call directly.
    var proxyPath: String?
    var direct: (host: String, port: Int)?
    var mockPort: Int?
    /// How long the mock upstream is asked to wait before it answers (proxy mode).
    var upstreamDelay: Double?
    /// Credential whose callbacks to verify, and the file holding its token.
    var verifyCredential: String?
    var tokenFile: String?
    /// Requests per second offered over all connections; nil sends the next request at once.
    var rate: Double?

    init(_ args: [String]) {
        var i = 0
        func next() -> String {
            i += 1
            guard i < args.count else { Options.fail("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--socket": socket = next()
            case "--connections":
                guard let n = Int(next()), n > 0 else { Options.fail("--connections wants a whole number above 0") }
                connections = n
            case "--duration":
                guard let d = Double(next()), d > 0 else { Options.fail("--duration wants seconds above 0") }
                duration = d
            case "--url": url = next()
            case "--method": method = next()
            case "--credential": credential = next()
            case "--json": json = true
            case "--no-floor": skipFloor = true
            case "--proxy": proxyPath = next()
            case "--mock":
                guard let p = Int(next()), (1...65535).contains(p) else { Options.fail("--mock wants a TCP port") }
                mockPort = p
            case "--upstream-delay":
                guard let ms = Double(next()), MockUpstream.delayRange.contains(ms) else {
                    Options.fail("--upstream-delay wants milliseconds from 0 to \(Int(MockUpstream.delayRange.upperBound))")
                }
                upstreamDelay = ms
            case "--verify": verifyCredential = next()
            case "--token-file": tokenFile = next()
            case "--rate":
                guard let r = Double(next()), r > 0 else { Options.fail("--rate wants requests per second above 0") }
                rate = r
            case "--direct":
                let v = next()
                guard let c = v.lastIndex(of: ":"), c != v.startIndex, let port = Int(v[v.index(after: c)...]), (1...65535).contains(port) else {
                    Options.fail("--direct wants host:port")
                }
                direct = (String(v[..<c]), port)
            case "--help", "-h":
                print(Options.usage)
                exit(0)
            default: Options.fail("unknown option \(args[i])")
            }
            i += 1
        }
        if upstreamDelay != nil && proxyPath == nil { Options.fail("--upstream-delay goes with --proxy") }
    }
}
