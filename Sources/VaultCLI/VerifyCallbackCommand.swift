import ArgumentParser
import Foundation
import VaultClient
import VaultCore
import VaultService

extension Root {
    struct VerifyCallback: AsyncParsableCommand, AnswersAQuestion {
        static let configuration = CommandConfiguration(
            commandName: "verify-callback",
            abstract: "Check the Vobiz signature of a raw HTTP request on stdin (exit 0 valid, 1 invalid).",
            discussion: """
                Reads a request as it arrived (request line, headers, blank line, body) and asks the daemon \
                (POST /v1/callbacks/verify, grant operation verify_callback). The URL is rebuilt from \
                --scheme, the Host header and the request target; a form-encoded POST body gives the \
                parameters. For debugging and for CGI-style hooks.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The credential whose token signed it (an auth id or partner).") var credential: String
        @Option(help: "The scheme of the public callback URL.") var scheme = "https"

        func run() async throws {
            let ctx = try CLIContext(global)
            let raw = try ctx.console.readStandardInput(1 << 20)
            let request = try raw.withUnsafeBytes { try RawCallback.parse($0, scheme: scheme) }
            var body: [String: Any] = ["credential": credential, "method": request.method, "url": request.url, "headers": request.headers]
            if !request.params.isEmpty { body["params"] = request.params }
            let response = try DaemonCall.client(ctx).send(method: "POST", path: "/v1/callbacks/verify",
                                                          body: Array(try JSONSerialization.data(withJSONObject: body)))
            try DaemonCall.check(response)
            let doc = try? response.body.withUnsafeBytes { try JSONParser.parse($0) }
            guard let doc, case .bool(let valid)? = doc["valid"] else { throw CLIError.io("unexpected answer from the daemon") }
            if ctx.json {
                ctx.console.out(DaemonCall.sorted(doc))
            } else {
                var line = valid ? "valid" : "invalid"
                if case .string(let s)? = doc["scheme"] { line += " (\(s.plainText)" }
                if case .string(let b)? = doc["signed_by"] { line += ", signed by \(b.plainText)" }
                if case .number(let v)? = doc["token_version"] { line += ", token version \(v)" }
                if case .string = doc["scheme"] { line += ")" }
                if case .string(let r)? = doc["reason"] { line += ": \(r.plainText)" }
                ctx.console.out(line)
            }
            if !valid { throw ExitCode(1) }
        }
    }
}

/// A raw HTTP/1.1 request as a CGI-style hook sees it.
enum RawCallback {
    struct Parsed {
        var method: String
        var url: String
        var headers: [String: String]
        var params: [String: [String]]
    }

    static func parse(_ input: UnsafeRawBufferPointer, scheme: String) throws -> Parsed {
        let bytes = Array(input)
        let separator = find(bytes, Array("\r\n\r\n".utf8)).map { ($0, 4) } ?? find(bytes, Array("\n\n".utf8)).map { ($0, 2) }
        guard let (headEnd, gap) = separator else { throw CLIError.usage("no blank line after the headers: expected a raw HTTP request") }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        let body = Array(bytes[(headEnd + gap)...])
        // "\r\n" is one Character in Swift: normalise line ends before splitting.
        var lines = head.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/") else { throw CLIError.usage("the first line is not an HTTP request line") }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw CLIError.usage("a header line without ':'") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = String(requestLine[1])
        let url: String
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            url = target
        } else {
            guard let host = headers["host"] else { throw CLIError.usage("no Host header to rebuild the URL from") }
            url = scheme + "://" + host + target
        }
        var params: [String: [String]] = [:]
        let method = requestLine[0].uppercased()
        if method == "POST", (headers["content-type"] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") {
            for (k, v) in PythonURL.parseQuery(String(decoding: body, as: UTF8.self)) { params[k] = v }
        }
        return Parsed(method: method, url: url, headers: headers, params: params)
    }

    static func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}
