/// The address of the proxy's TCP listener (`[sockets] proxy_tcp`): a numeric loopback address
/// and a port. Anything that could reach beyond this host — another address, a name that a
/// resolver might map elsewhere, the wildcard — is refused.
public struct LoopbackEndpoint: Hashable, Sendable {
    public let host: String
    public let port: Int

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case notLoopback(String)

        public var description: String {
            switch self {
            case .malformed(let t): "\"\(Echo.short(t))\" is not host:port (e.g. \"127.0.0.1:8787\" or \"[::1]:8787\")"
            case .notLoopback(let h): "\(Echo.short(h)) is not a loopback address; the proxy listens on 127.0.0.0/8 or [::1] only"
            }
        }
    }

    public init(parsing text: String) throws(Failure) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw .malformed(text) }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard host == "::1" else { throw .notLoopback(String(host)) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .malformed(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4, octets.allSatisfy({ o in StrictInteger.decimal(o, maxDigits: 3).map { $0 <= 255 } ?? false })
            else {
                throw host.contains(where: { !$0.isNumber && $0 != "." }) ? .notLoopback(String(host)) : .malformed(text)
            }
            guard octets[0] == "127" else { throw .notLoopback(String(host)) }
        }
        guard let port = StrictInteger.decimal(portText, maxDigits: 5).map(Int.init), port > 0, port < 65536 else {
            throw .malformed(text)
        }
        self.host = String(host)
        self.port = port
    }
}
