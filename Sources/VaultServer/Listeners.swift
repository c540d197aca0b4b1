import Foundation
import NIOCore
import ServiceLifecycle
import VaultService

/// The client socket, the admin socket and the optional loopback TCP listener. They share one
/// drain: on graceful shutdown all three close together, and the service ends once the requests
/// already being answered have their answers (or after `drainDeadline`).
struct Listeners: Service, CustomStringConvertible {
    let daemon: VaultDaemon
    /// Sockets passed by systemd, by name.
    let passed: [String: Int32]
    static let drainDeadline: Duration = .seconds(10)

    var description: String { "listeners" }

    func run() async throws {
        // Bound inside the group, after its SIGTERM/SIGINT handlers are in place: a stop asked for
        // while binding is not lost, it drains as soon as the sockets are up.
        let channels = try await bind()
        let sockets = daemon.service.config.sockets
        Systemd.notify("READY=1\nSTATUS=serving on \(sockets.client)")
        daemon.logger.info("serving", metadata: ["client": "\(sockets.client)", "admin": "\(sockets.admin)", "pid": "\(getpid())"])
        // Cancellation is not a way the daemon stops (no cancellation signals, no cancelling
        // service); should it come, the sockets close all the same.
        try? await gracefulShutdown()
        daemon.logger.info("stopping: draining in-flight requests")
        Systemd.notify("STOPPING=1")
        daemon.inFlight.startDraining()
        for channel in channels { try? await channel.close() }
        await daemon.execs.withLockedValue({ $0 })?.closeAll()
        let deadline = ContinuousClock.now + Self.drainDeadline
        while daemon.inFlight.count > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func bind() async throws -> [any Channel] {
        let d = daemon
        let config = d.service.config
        let adminGID = config.sockets.adminGroup.flatMap(SocketPaths.gid(of:))
        let flow = ProxyFlow(service: d.service, upstream: d.upstream, maxBody: d.limits.maxProxyAnswer, logger: d.logger)
        let proxy = ProxyRoute(flow: flow, metrics: d.metrics, maxBody: d.limits.maxProxyAnswer)
        let client = try await d.bind(name: "client", path: config.sockets.client, fd: passed["client"], group: d.group,
                                      mode: mode_t(config.sockets.clientMode), socketGroup: config.sockets.clientGroup,
                                      router: ClientRouter(service: d.service, metrics: d.metrics, proxy: proxy,
                                                           exec: ExecAPI(sessions: d.execSessions(proxy), service: d.service)),
                                      limits: d.limits,
                                      connections: d.clientConnections, uids: d.clientUIDs)
        // Import calls carry whole import files in their body.
        var adminLimits = d.limits
        adminLimits.maxBody = 24 << 20
        adminLimits.maxConnections = 64
        // A socket that cannot be bound closes those already bound: none is left half-served.
        var bound: [any Channel] = [client]
        do {
            bound.append(try await d.bind(name: "admin", path: config.sockets.admin, fd: passed["admin"], group: d.group,
                                          mode: adminGID == nil ? 0o600 : 0o660, socketGroup: config.sockets.adminGroup,
                                          router: AdminRouter(service: d.service, metrics: d.metrics, adminGID: adminGID, reload: d.configReload),
                                          limits: adminLimits, connections: d.adminConnections, uids: nil))
            if let tcp = try await d.bindTCP(name: "proxy", config.sockets.proxyTCP, fd: passed["proxy"],
                                             router: TCPProxyRouter(service: d.service, proxy: proxy, metrics: d.metrics)) {
                bound.append(tcp)
            }
            if let scrape = try await d.bindTCP(name: "metrics", config.metrics.listen, fd: passed["metrics"],
                                                router: MetricsRouter(service: d.service, metrics: d.metrics)) {
                bound.append(scrape)
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw error
        }
        return bound
    }
}
