import NIOConcurrencyHelpers
import CVaultSystem
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import VaultCore
import VaultService

/// `vobiz-vault serve`: the client and admin sockets over one event loop and the loops beside
/// them (audit flusher, token evictor, destroyer, JWT refresher, watchdog, SIGHUP reloads), run as one
/// `ServiceGroup` that SIGTERM or SIGINT shuts down gracefully.
public final class VaultDaemon: Sendable {
    let service: VaultService
    let configPath: String?
    let loadConfig: @Sendable (String?) throws -> VaultConfig
    let limits: HTTPLimits
    let logger: Logger
    let metrics = DaemonMetrics()
    let inFlight = InFlight()
    /// Answers of one event-loop turn are flushed together.
    let flushers: [ObjectIdentifier: TickFlusher]
    let clientConnections = ConnectionCount()
    /// Admins keep their way in however many clients are connected.
    let adminConnections = ConnectionCount()
    /// The TCP listener has its own budget: anyone on the host can reach it, and it must not
    /// use up the client socket's.
    let tcpConnections = ConnectionCount()
    /// Per-uid budgets of the client socket and of the TCP listener (the admin socket serves
    /// admins only and has none).
    let clientUIDs = UIDBudget()
    let tcpUIDs = UIDBudget()
    static let maxTCPConnections = 256
    /// The loopback TCP listener's listen backlog: its connection cap.
    static let tcpBacklog: Int32 = 256
    let group: MultiThreadedEventLoopGroup
    /// The Vobiz API client of the proxy, on the daemon's event loop.
    let upstream: UpstreamClient
    /// The `exec --proxy` sessions, made when the client socket is bound (they share its proxy).
    let execs = NIOLockedValueBox<ExecSessions?>(nil)

    func execSessions(_ proxy: ProxyRoute) -> ExecSessions {
        execs.withLockedValue { current in
            if let current { return current }
            let made = ExecSessions(daemon: self, proxy: proxy)
            current = made
            return made
        }
    }

    /// The event loop the vault's actor should run on, so requests need no thread hop:
    /// pass `loop.executor` to `VaultService.open`, then the same group here.
    public static func makeEventLoopGroup() -> MultiThreadedEventLoopGroup {
        // One thread: on a two-core machine the other core serves SQLite and the callers.
        MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    public init(service: VaultService, group: MultiThreadedEventLoopGroup, configPath: String?,
                loadConfig: @escaping @Sendable (String?) throws -> VaultConfig,
                limits: HTTPLimits = HTTPLimits(), logger: Logger) throws {
        upstream = try UpstreamClient(config: service.config.upstream, eventLoopGroup: group)
        self.group = group
        flushers = TickFlusher.perLoop(of: group)
        self.service = service
        self.configPath = configPath
        self.loadConfig = loadConfig
        self.limits = limits
        self.logger = logger
    }

    /// What SIGHUP and `POST /v1/admin/reload` run.
    var configReload: ConfigReload { ConfigReload(service: service, configPath: configPath, loadConfig: loadConfig, logger: logger) }

    /// Runs until SIGTERM or SIGINT; returns after draining. Throws when a socket cannot be
    /// bound (after the other services have stopped and the audit queue is settled).
    public func run() async throws {
        let lifecycle: ServiceGroup
        let passed = Systemd.listenFDs(ProcessInfo.processInfo.environment)
        // The vault's own calls (JWT logins, rotate --verify) share the daemon's client.
        await service.attach(upstream: upstream)
        do {
            // First, so that a daemon that cannot receive SIGHUP never starts serving.
            let hangups = try SignalStream([SIGHUP])
            lifecycle = ServiceGroup(configuration: lifecycleConfiguration(hangups: hangups, passed: passed))
        } catch {
            await upstream.shutdown()
            throw error
        }
        var failure: (any Error)?
        do { try await lifecycle.run() } catch { failure = error }
        await upstream.shutdown()
        await settleAudit()
        try? await group.shutdownGracefully()
        // After a failure to bind, a socket file at the path may be another process's.
        if let failure { throw failure }
        if passed["client"] == nil { unlink(service.config.sockets.client) }
        if passed["admin"] == nil { unlink(service.config.sockets.admin) }
        logger.info("stopped")
    }

    /// The services in start order; graceful shutdown goes the other way, one at a time: SIGHUP
    /// is no longer acted on, the sockets close and in-flight requests drain, then the JWT
    /// refresher, the destroyer, the token evictor and the audit flusher stop, the watchdog
    /// last. Every service ends the group gracefully whether it returns or throws: nothing
    /// stops without the drain and the final audit commit, and the first error (a socket that
    /// cannot be bound) is the daemon's.
    func lifecycleConfiguration(hangups: SignalStream, passed: [String: Int32]) -> ServiceGroupConfiguration {
        var services: [any Service] = Systemd.watchdogInterval(ProcessInfo.processInfo.environment).map { [Watchdog(interval: $0)] } ?? []
        services += [
            AuditFlusher(service: service, logger: logger),
            TokenEvictor(service: service),
            GraceDestroyer(service: service, logger: logger),
            ChangeFollower(service: service, logger: logger),
            JWTRefresher(service: service),
            Listeners(daemon: self, passed: passed),
            Reloader(hangups: hangups, reload: configReload),
        ]
        return ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    }

    /// Commits what is still queued once nothing can queue more: the refusal summaries and the
    /// audit rows of the drained requests, then a WAL checkpoint.
    func settleAudit() async {
        await service.writeRefusalSummaries(all: true)
        await service.settleAudit()
        let unwritten = await service.auditStatus
        if unwritten.pending > 0 || unwritten.dropped > 0 {
            // Requests already answered whose rows the disk would not take: said once, loudly.
            logger.critical("audit rows lost at stop: the audit log could not be written", metadata: [
                "rows": "\(unwritten.pending + unwritten.dropped)", "error": "\(unwritten.lastError ?? "-")"])
        }
        await service.checkpoint()
    }

    func bind(name: String, path: String, fd: Int32?, group: MultiThreadedEventLoopGroup, mode: mode_t, socketGroup: String?,
              router: any Router, limits: HTTPLimits, connections: ConnectionCount, uids: UIDBudget?) async throws -> any Channel {
        // A burst of connects beyond the backlog fails at once for a non-blocking client (EAGAIN on a
        // Unix socket), so the queue holds as many as the daemon would serve; the kernel caps it at
        // net.core.somaxconn. Accepting 16 per wakeup drains a burst without starving open connections.
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.backlog(for: limits))
            // The kernel then tags every write with its sender, from the connect on (accepted
            // sockets inherit it), and never joins two senders' bytes in one read.
            .serverChannelOption(ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PASSCRED)), value: 1)
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            // A client that sends its request and then shuts down its side (`nc -N`) still gets
            // the answer: the connection closes once it is out (`ConnectionHandler`).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // An out-of-band byte (Unix sockets have them since Linux 5.15) is read with the rest
            // of the stream, where it is one more byte of the request, not a readable event with
            // nothing to read.
            .childChannelOption(ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_OOBINLINE)), value: 1)
            .childChannelInitializer { [inFlight, flushers, logger] channel in
                Self.initialize(channel, router: router, limits: limits, inFlight: inFlight, flushers: flushers,
                                connections: connections, uids: uids, logger: logger)
            }
        if let fd {
            logger.info("adopting socket from systemd", metadata: ["socket": "\(name)", "fd": "\(fd)"])
            var on: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw DaemonError.socket("cannot set SO_PASSCRED on the \(name) socket passed by systemd: \(String(cString: strerror(errno)))")
            }
            let channel = try await bootstrap.withBoundSocket(fd).get()
            Self.relisten(fd, backlog: Self.backlog(for: limits))
            return channel
        }
        try SocketPaths.prepareDirectory(for: path, mode: SocketPaths.directoryMode(for: mode_t(service.config.sockets.clientMode)),
                                         group: service.config.sockets.clientGroup)
        try SocketPaths.clearStale(path)
        // The socket is created private and opened up only after its owner and group are set.
        let old = umask(0o177)
        defer { umask(old) }
        let channel = try await bootstrap.bind(unixDomainSocketPath: path).get()
        try SocketPaths.secure(path, mode: mode, group: socketGroup)
        return channel
    }

    static func backlog(for limits: HTTPLimits) -> Int32 {
        Int32(clamping: max(1024, limits.maxConnections))
    }

    /// NIO calls `listen(fd, 128)` on a socket it adopts, whatever the backlog option says (and
    /// whatever the socket unit's `Backlog=`); listening again sets the backlog the daemon wants.
    static func relisten(_ fd: Int32, backlog: Int32) {
        _ = listen(fd, backlog)
    }

    static func initialize(_ channel: any Channel, router: any Router, limits: HTTPLimits, inFlight: InFlight,
                           flushers: [ObjectIdentifier: TickFlusher], connections: ConnectionCount, uids: UIDBudget?, logger: Logger,
                           peer: (any Channel) -> EventLoopFuture<PeerContext> = VaultDaemon.attestedPeer) -> EventLoopFuture<Void> {
        guard connections.open(limit: limits.maxConnections) else {
            return channel.pipeline.addHandler(OverCapRefusal(limit: limits.maxConnections))
        }
        channel.closeFuture.whenComplete { _ in connections.closed() }
        return peer(channel).flatMap { peer in
            if let uids {
                guard uids.open(peer.budgetUID, limit: limits.maxConnectionsPerUID) else {
                    return channel.pipeline.addHandler(OverCapRefusal(
                        detail: "too many connections from uid \(peer.budgetUID) (limit \(limits.maxConnectionsPerUID) per uid); try again later"))
                }
                channel.closeFuture.whenComplete { _ in uids.closed(peer.budgetUID) }
            }
            let state = ConnectionState(limits: limits)
            do {
                let sync = channel.pipeline.syncOperations
                if let writers = peer.writers {
                    // Every read is charged to the process that wrote it (`WriterLedger`).
                    try channel.syncOptions?.setOption(.recvAllocator, value: AttestedRecvAllocator(ledger: writers))
                    try sync.addHandler(WriterGate(ledger: writers))
                }
                try sync.addHandler(HeadLimiter(state: state))
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                try sync.addHandler(ConnectionHandler(router: router, peer: peer, state: state, inFlight: inFlight,
                                                      flusher: flushers[ObjectIdentifier(channel.eventLoop)], uids: uids))
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.flatMapError { error in
            logger.warning("refused a connection whose peer could not be identified")
            return channel.close()
        }
    }

    /// A Unix peer: its credentials, and its socket's descriptor for the writer checks.
    static func attestedPeer(_ channel: any Channel) -> EventLoopFuture<PeerContext> {
        ChannelDescriptor.of(channel).flatMap { PeerContext.resolve(channel, socket: $0) }
    }
}
