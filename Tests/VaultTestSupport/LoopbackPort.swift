import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for the servers tests start: one free now, and whether one is served.
public enum LoopbackPort {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A port nobody listens on right now (the kernel's choice for an ephemeral bind). Another
    /// process may take it before the caller binds it: servers started on it retry elsewhere.
    public static func free() throws -> Int {
        let port = withSocket(port: 0) { fd, address, size -> Int in
            guard bind(fd, address, size) == 0 else { return 0 }
            var bound = sockaddr_in(), length = size
            let named = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return named == 0 ? Int(UInt16(bigEndian: bound.sin_port)) : 0
        }
        guard port > 0 else { throw Failure(description: "no free loopback port: " + String(cString: strerror(errno))) }
        return port
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        withSocket(port: port) { fd, address, size in connect(fd, address, size) == 0 }
    }

    private static func withSocket<T>(port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { if fd >= 0 { close(fd) } }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
