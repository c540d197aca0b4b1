import NIOConcurrencyHelpers
import CVaultSystem
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import VaultCore
import VaultService

/// `vobiz-vault serve`: the client and admin sockets over one event loop, the audit flusher,
/// systemd notifications, SIGHUP reloads and a draining SIGTERM.
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
    /// How often the daemon looks for token versions whose grace has ended.
    static let destroyInterval: Duration = .seconds(5)
    let group: MultiThreadedEventLoopGroup
    /// The Vobiz API client of the proxy, on the daemon's event loop.
    let upstream: UpstreamClient

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

    /// Runs until SIGTERM or SIGINT; returns after draining.
    public func run() async throws {
        do {
            try await serve()
        } catch {
            await upstream.shutdown()
            throw error
        }
    }

    private func serve() async throws {
        // First, so that a daemon that cannot receive SIGTERM cleanly never starts serving.
        let signals = try SignalStream([SIGHUP, SIGTERM, SIGINT])
        let env = ProcessInfo.processInfo.environment
        let config = service.config
        let passed = Systemd.listenFDs(env)
        let adminGID = config.sockets.adminGroup.flatMap(SocketPaths.gid(of:))
        let proxy = ProxyRoute(service: service, upstream: upstream, metrics: metrics, logger: logger, maxBody: limits.maxProxyAnswer)
        let client = try await bind(name: "client", path: config.sockets.client, fd: passed["client"], group: group,
                                    mode: mode_t(config.sockets.clientMode), socketGroup: config.sockets.clientGroup,
                                    router: ClientRouter(service: service, metrics: metrics, proxy: proxy), limits: limits,
                                    connections: clientConnections, uids: clientUIDs)
        // Admin calls carry whole import files (base64) in their body.
        var adminLimits = limits
        adminLimits.maxBody = 24 << 20
        adminLimits.maxConnections = 64
        let admin = try await bind(name: "admin", path: config.sockets.admin, fd: passed["admin"], group: group,
                                   mode: adminGID == nil ? 0o600 : 0o660, socketGroup: config.sockets.adminGroup,
                                   router: AdminRouter(service: service, metrics: metrics, adminGID: adminGID, upstream: upstream),
                                   limits: adminLimits, connections: adminConnections, uids: nil)
        let tcp: (any Channel)?
        do {
            tcp = try await bindTCP(config.sockets.proxyTCP, fd: passed["proxy"],
                                    router: TCPProxyRouter(service: service, proxy: proxy, metrics: metrics))
        } catch {
            try? await client.close()
            try? await admin.close()
            throw error
        }
        let flusher = Task { await flushAudit() }
        let refresher = Task { [service, upstream] in
            // Refresh-ahead of JWT sessions in use (their own timing decides who is due).
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await service.refreshJWTSessions(upstream: upstream)
            }
        }
        let destroyer = Task { [service, logger] in
            // Versions whose grace has ended are destroyed within seconds, not only when an
            // admin command happens to come (Docs/key-management.md: the ciphertext does not outlive its grace).
            var failing = false
            while !Task.isCancelled {
                do {
                    let n = try await service.destroyExpired(actor: .current())
                    if n > 0 { logger.notice("destroyed token versions past their grace", metadata: ["count": "\(n)"]) }
                    failing = false
                } catch {
                    // Said once per failing spell (a full or read-only disk would repeat it every 5 s).
                    if !failing { logger.error("cannot destroy token versions past their grace", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: Self.destroyInterval)
            }
        }
        let watchdog = Systemd.watchdogInterval(env).map { interval in
            Task {
                while !Task.isCancelled {
                    Systemd.notify("WATCHDOG=1")
                    try? await Task.sleep(for: interval)
                }
            }
        }
        Systemd.notify("READY=1\nSTATUS=serving on \(config.sockets.client)")
        logger.info("serving", metadata: ["client": "\(config.sockets.client)", "admin": "\(config.sockets.admin)",
                                          "pid": "\(getpid())"])
        for await signal in signals.stream {
            if signal == SIGHUP {
                await reload()
                continue
            }
            logger.info("stopping: draining in-flight requests", metadata: ["signal": "\(signal)"])
            Systemd.notify("STOPPING=1")
            break
        }
        inFlight.startDraining()
        try? await client.close()
        try? await admin.close()
        try? await tcp?.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while inFlight.count > 0 && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        flusher.cancel()
        destroyer.cancel()
        refresher.cancel()
        await flusher.value
        await destroyer.value
        watchdog?.cancel()
        await upstream.shutdown()
        await service.writeRefusalSummaries(all: true)
        await service.settleAudit()
        let unwritten = await service.auditStatus
        if unwritten.pending > 0 || unwritten.dropped > 0 {
            // Requests already answered whose rows the disk would not take: said once, loudly.
            logger.critical("audit rows lost at stop: the audit log could not be written", metadata: [
                "rows": "\(unwritten.pending + unwritten.dropped)", "error": "\(unwritten.lastError ?? "-")"])
        }
        await service.checkpoint()
        try? await group.shutdownGracefully()
        if passed["client"] == nil { unlink(config.sockets.client) }
        if passed["admin"] == nil { unlink(config.sockets.admin) }
        logger.info("stopped")
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
