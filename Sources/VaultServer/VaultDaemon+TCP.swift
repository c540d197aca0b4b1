import CVaultSystem
import Foundation
import NIOCore
import NIOPosix
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// The proxy's loopback TCP listener.
extension VaultDaemon {
    /// The proxy's loopback TCP listener, when `[sockets] proxy_tcp` is set (or systemd passes
    /// a socket named `proxy`). The address was checked to be loopback when the config loaded;
    /// it is checked again here so no path binds anything else.
    /// A loopback TCP listener (`name`: `proxy` or `metrics`, also the systemd socket's
    /// FileDescriptorName=), from `address` or a passed socket `fd`.
    func bindTCP(name: String, _ address: String?, fd: Int32?, router: any Router) async throws -> (any Channel)? {
        guard address != nil || fd != nil else { return nil }
        if !Self.canAskSocketOwners() {
            logger.warning("""
                the kernel's socket diagnostics (AF_NETLINK) are out of reach, so the \(name) listener's TCP peers cannot be told                 apart by uid and share one connection budget; allow AF_NETLINK (RestrictAddressFamilies= in the unit)                 for a budget per uid
                """)
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.tcpBacklog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [inFlight, flushers, logger, limits, tcpConnections, tcpUIDs] channel in
                var tcpLimits = limits
                tcpLimits.maxConnections = Self.maxTCPConnections
                tcpLimits.maxConnectionsPerUID = min(limits.maxConnectionsPerUID, Self.maxTCPConnections / 4)
                return Self.initialize(channel, router: router, limits: tcpLimits, inFlight: inFlight, flushers: flushers,
                                       connections: tcpConnections, uids: tcpUIDs,
                                       logger: logger, peer: PeerContext.tcp)
            }
        if let fd {
            // Checked before the socket is adopted, so not one connection is accepted on it.
            let bound = Self.boundAddress(fd)
            guard let bound, (try? LoopbackEndpoint(parsing: bound)) != nil else {
                throw DaemonError.notLoopback(bound ?? "an address that is not IPv4 or IPv6")
            }
            logger.info("adopting socket from systemd", metadata: ["socket": "\(name)", "fd": "\(fd)", "address": "\(bound)"])
            let channel = try await bootstrap.withBoundSocket(fd).get()
            Self.relisten(fd, backlog: Self.tcpBacklog)
            return channel
        }
        let endpoint = try LoopbackEndpoint(parsing: address!)
        let channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
        logger.info("\(name) listening on loopback TCP", metadata: ["address": "\(address!)"])
        return channel
    }

    /// `host:port` (`[host]:port` for IPv6) a passed socket is bound to.
    /// The text of a NUL-terminated C buffer (an address from `inet_ntop`).
    static func cText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func boundAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var addr = a.pointee.sin_addr
                    guard inet_ntop(AF_INET, &addr, &text, socklen_t(text.count)) != nil else { return nil }
                    return "\(Self.cText(text)):\(UInt16(bigEndian: a.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count)) != nil else { return nil }
                    return "[\(Self.cText(text))]:\(UInt16(bigEndian: a.pointee.sin6_port))"
                }
            }
        default:
            return nil
        }
    }

    /// Whether a netlink socket can be made here (a unit's RestrictAddressFamilies= may forbid it).
    static func canAskSocketOwners() -> Bool {
        let fd = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 4 /* NETLINK_SOCK_DIAG */)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }
}
