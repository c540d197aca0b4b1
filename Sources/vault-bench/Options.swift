/// The command line of vault-bench (see main.swift for the modes).
struct Options {
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
    /// Credential whose callbacks to verify, and the file holding its token.
    var verifyCredential: String?
    var tokenFile: String?
    /// Requests per second offered over all connections; nil sends the next request at once.
    var rate: Double?

    init(_ args: [String]) {
        var i = 0
        func next() -> String {
            i += 1
            guard i < args.count else { fatalError("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--socket": socket = next()
            case "--connections": connections = Int(next()) ?? 16
            case "--duration": duration = Double(next()) ?? 10
            case "--url": url = next()
            case "--method": method = next()
            case "--credential": credential = next()
            case "--json": json = true
            case "--no-floor": skipFloor = true
            case "--proxy": proxyPath = next()
            case "--mock": mockPort = Int(next())
            case "--verify": verifyCredential = next()
            case "--token-file": tokenFile = next()
            case "--rate":
                guard let r = Double(next()), r > 0 else { fatalError("--rate wants requests per second above 0") }
                rate = r
            case "--direct":
                let v = next()
                guard let c = v.lastIndex(of: ":"), let port = Int(v[v.index(after: c)...]) else { fatalError("--direct wants host:port") }
                direct = (String(v[..<c]), port)
            default: fatalError("unknown option \(args[i])")
            }
            i += 1
        }
    }
}
