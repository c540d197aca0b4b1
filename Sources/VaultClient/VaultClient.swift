import CVaultSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking client for the vault's Unix-socket HTTP API. Before it sends a byte it
/// checks, with `SO_PEERCRED`, that the process on the other end runs as the expected daemon
/// user: a socket squatted by someone else gets nothing.
public struct VaultClient: Sendable {
    public let socketPath: String
    /// The uid the daemon must run as; nil skips the check (only for tests of the check itself).
    public let expectedUID: uid_t?
    public var timeout: Int = 30
    /// The largest answer read; a backup of a large vault raises it.
    public var maxAnswer = 64 << 20

    public init(socketPath: String, expectedUID: uid_t?) {
        self.socketPath = socketPath
        self.expectedUID = expectedUID
    }

    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Sends one request (`Connection: close`) and reads the whole answer.
    public func send(method: String, path: String, body: [UInt8]? = nil, contentType: String = "application/json") throws -> Response {
        let fd = try connect()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: vobiz-vault\r\nConnection: close\r\n"
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(fd, Array(head.utf8))
        if let body { try write(fd, body) }
        return try Self.parse(readAll(fd))
    }

    func connect() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError.unavailable(socketPath, String(cString: strerror(errno))) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw ClientError.unavailable(socketPath, "path too long")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw ClientError.unavailable(socketPath, why)
        }
        if let expectedUID {
            var cred = vv_ucred()
            var len = socklen_t(MemoryLayout<vv_ucred>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0, cred.uid == expectedUID else {
                close(fd)
                throw ClientError.impostor(socketPath, found: cred.uid, expected: expectedUID)
            }
        }
        return fd
    }

    func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(String(cString: strerror(errno)))
            }
            sent += n
        }
    }

    func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(errno == EAGAIN ? "timed out waiting for the daemon" : String(cString: strerror(errno)))
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk.prefix(n))
            if out.count > maxAnswer { throw ClientError.io("answer larger than \(maxAnswer >> 20) MiB") }
        }
    }

    static func parse(_ raw: [UInt8]) throws -> Response {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: sep) }) else { throw ClientError.io("malformed answer") }
        let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError.io("malformed status line") }
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let c = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<c]), line[line.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(raw[(end + 4)...])
        if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }) {
            // An answer cut short (the daemon stopped mid-write) is not an answer.
            guard length <= body.count else { throw ClientError.io("the answer was cut short (\(body.count) of \(length) bytes)") }
            body = Array(body.prefix(length))
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// Why the client could not talk to the daemon.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case unavailable(String, String)
    case impostor(String, found: uid_t, expected: uid_t)
    case io(String)

    public var description: String {
        switch self {
        case .unavailable(let p, let why): "cannot connect to \(p): \(why) (is `vobiz-vault serve` running?)"
        case .impostor(let p, let found, let expected):
            "refusing to talk to \(p): it is served by uid \(found), not the vault's uid \(expected) (someone else holds the socket)"
        case .io(let why): "talking to the daemon failed: \(why)"
        }
    }
}
