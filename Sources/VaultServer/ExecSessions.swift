import CVaultSystem
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VaultCore
import VaultCrypto
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's `exec --proxy` sessions (Docs/proxy.md): each opened by a caller on the client
/// socket, served on a loopback port of its own, and ended when its program exits.
final class ExecSessions: Sendable {
    let daemon: VaultDaemon
    let proxy: ProxyRoute
    private let sessions = NIOLockedValueBox<[String: ExecSession]>([:])
    private let stopping = NIOLockedValueBox(false)
    static let maxSessions = 256
    static let maxSessionsPerUID = 32
    /// Connections one session's listener holds at once; other uids' are closed at accept.
    static let maxConnectionsPerSession = 64
    /// How often a session's program is checked for having exited.
    static let watchInterval: Duration = .milliseconds(100)

    init(daemon: VaultDaemon, proxy: ProxyRoute) {
        self.daemon = daemon
        self.proxy = proxy
    }

    /// What the caller gets: the session, its base URL and the stand-in token.
    struct Opened {
        let session: ExecSession
        let baseURL: String
        let standIn: String
        /// The abstract Unix address where the caller takes its own descriptor of the listener.
        let handoff: String
    }

    /// Opens a session for `credential` if the caller's grants allow it.
    func open(caller: Caller, credential: String) async throws(Refusal) -> Opened {
        // The listener tells its program from other users only by asking the kernel who owns
        // each connection; without that, it must not open.
        guard VaultDaemon.canAskSocketOwners() else {
            throw await refused(caller, "POST", ExecAPI.prefix, Refusal(.internal, "exec --proxy needs the kernel's socket diagnostics (AF_NETLINK) to tell which user connects to its listener; allow AF_NETLINK in the unit's RestrictAddressFamilies="))
        }
        let allowed = try await daemon.service.authorizeExec(caller: caller, credential: credential)
        let (session, standIn) = ExecSession.make(authID: allowed.authID, opener: caller)
        let port: Int, handoff: String
        do throws(Refusal) {
            try admit(session)
            do {
                let bound = try await bind(session)
                session.listen(on: bound.channel)
                (port, handoff) = (bound.port, bound.handoff)
            } catch {
                throw Refusal(.internal, "the exec listener could not be bound on 127.0.0.1: \(error)")
            }
            try await daemon.service.auditExecStep(caller: caller, child: nil, authID: allowed.authID, method: "POST", step: "open",
                                                   grant: allowed.grant)
        } catch {
            sessions.withLockedValue { _ = $0.removeValue(forKey: session.id) }
            await session.close()
            throw await refused(caller, "POST", ExecAPI.prefix, error)
        }
        let authID = allowed.authID
        daemon.logger.info("exec session opened", metadata: ["session": "\(session.id)", "auth_id": "\(authID)", "uid": "\(caller.uid)", "port": "\(port)"])
        Task { await watch(session) }
        return Opened(session: session, baseURL: "http://127.0.0.1:\(port)", standIn: standIn, handoff: handoff)
    }

    /// Names the session's program (a child of the caller, pid `pid`).
    func attach(_ id: String, pid: Int32, caller: Caller) async throws(Refusal) -> ActorIdentity {
        let path = "\(ExecAPI.prefix)/\(Echo.short(id, limit: 40))/child"
        let session: ExecSession, identity: ActorIdentity
        do throws(Refusal) {
            session = try find(id, caller)
            identity = try session.attach(pid: pid, by: caller)
        } catch {
            throw await refused(caller, "POST", path, error)
        }
        do {
            try await daemon.service.auditExecStep(caller: caller, child: identity, authID: session.authID, method: "POST", step: "attached")
        } catch {
            await end(session, why: "its program could not be audited")
            throw error
        }
        return identity
    }

    /// Ends a session at its caller's word (its program has exited).
    func close(_ id: String, caller: Caller) async throws(Refusal) {
        do throws(Refusal) {
            await end(try find(id, caller), why: "closed by the caller")
        } catch {
            throw await refused(caller, "DELETE", "\(ExecAPI.prefix)/\(Echo.short(id, limit: 40))", error)
        }
    }

    /// Ends every session, and opens no more: the daemon is stopping.
    func closeAll() async {
        stopping.withLockedValue { $0 = true }
        for session in sessions.withLockedValue({ Array($0.values) }) { await end(session, why: "the daemon stopped") }
    }

    /// Audits a refusal of the session endpoints; returns it to throw.
    private func refused(_ caller: Caller, _ method: String, _ path: String, _ refusal: Refusal) async -> Refusal {
        await daemon.service.auditRefusal(caller: caller, operation: .exec, method: method, path: path, refusal)
        return refusal
    }

    private func admit(_ session: ExecSession) throws(Refusal) {
        let uid = session.opener.uid
        guard !stopping.withLockedValue({ $0 }) else { throw Refusal(.internal, "the daemon is stopping; no exec session opens now") }
        let admitted = sessions.withLockedValue { all -> Bool in
            guard all.count < Self.maxSessions, all.values.filter({ $0.opener.uid == uid }).count < Self.maxSessionsPerUID else { return false }
            all[session.id] = session
            return true
        }
        guard admitted else { throw Refusal(.rateLimited, "too many exec sessions open (at most \(Self.maxSessionsPerUID) per uid, \(Self.maxSessions) in all)") }
    }

    private func find(_ id: String, _ caller: Caller) throws(Refusal) -> ExecSession {
        guard let session = sessions.withLockedValue({ $0[id] }), session.isOpener(caller) else {
            throw Refusal(.notFound, "no exec session \(Echo.short(id, limit: 40)) of this process")
        }
        return session
    }

    private func end(_ session: ExecSession, why: String) async {
        sessions.withLockedValue { _ = $0.removeValue(forKey: session.id) }
        // Read before the close, which forgets the program.
        let program = session.program
        guard await session.close() else { return }
        try? await daemon.service.auditExecStep(caller: session.opener, child: program, authID: session.authID, method: "DELETE",
                                                step: "closed: " + why)
        daemon.logger.info("exec session closed", metadata: ["session": "\(session.id)", "why": "\(why)"])
    }

    private func watch(_ session: ExecSession) async {
        while !session.isClosed {
            if let why = session.ending(now: .now) {
                await end(session, why: why)
                return
            }
            try? await Task.sleep(for: Self.watchInterval)
        }
    }

    /// The session's listener, and a second socket bound to its port that the caller holds while
    /// it runs: the port stays reserved whatever becomes of the daemon's socket (a daemon that
    /// stops or restarts leaves no port for another user to bind). The caller never gets the
    /// listening socket itself, which it could make blocking or shut down under the daemon.
    private func bind(_ session: ExecSession) async throws -> (channel: any Channel, port: Int, handoff: String) {
        var port: Int32 = 0
        let fd = vv_loopback_listener(&port)
        guard fd >= 0 else { throw DaemonError.socket("no loopback port for the exec listener: \(String(cString: strerror(-fd)))") }
        let holder = vv_port_holder(port)
        let handoff = "vobiz-vault-exec-" + session.id + "-" + Hex.encode([UInt8](Random.data(count: 8)))
        let lfd = vv_handoff_listen(handoff)
        guard holder >= 0, lfd >= 0 else {
            for d in [fd, holder, lfd] where d >= 0 { Glibc.close(d) }
            throw DaemonError.socket("the exec listener's port cannot be shared with its caller: \(String(cString: strerror(-min(holder, lfd))))")
        }
        let channel: any Channel
        do { channel = try await bootstrap(session).withBoundSocket(fd).get() } catch {
            Glibc.close(holder)
            Glibc.close(lfd)
            throw error
        }
        session.handOver(on: lfd)
        let (pid, uid) = (session.opener.pid, session.opener.uid)
        Thread.detachNewThread {
            _ = vv_handoff_serve(lfd, holder, pid, uid, Int32(ExecSession.attachDeadline.components.seconds * 1000))
            Glibc.close(holder)
            session.handedOver()
        }
        return (channel, Int(port), handoff)
    }

    private func bootstrap(_ session: ExecSession) -> ServerBootstrap {
        let d = daemon
        var limits = d.limits
        limits.maxBody = max(limits.maxBody, limits.maxProxyBody)
        limits.maxConnections = Self.maxConnectionsPerSession
        let router = ExecRouter(session: session, proxy: proxy, service: d.service, metrics: d.metrics)
        let connections = ConnectionCount()
        return ServerBootstrap(group: d.group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [inFlight = d.inFlight, flushers = d.flushers, logger = d.logger] channel in
                // Another uid's connection is closed before a byte of it is read.
                PeerContext.tcp(channel).flatMap { peer in
                    guard peer.budgetUID == session.opener.uid else {
                        self.refuseAtAccept(peer, session)
                        return channel.close()
                    }
                    return VaultDaemon.initialize(channel, router: router, limits: limits, inFlight: inFlight, flushers: flushers,
                                                  connections: connections, uids: nil, logger: logger,
                                                  peer: { $0.eventLoop.makeSucceededFuture(peer) })
                }
            }
    }

    /// A connection of another uid (or of none the kernel could name): counted, and audited
    /// within its source's refusal budget.
    private func refuseAtAccept(_ peer: PeerContext, _ session: ExecSession) {
        daemon.metrics.unauthenticatedRefusals.increment()
        guard let refusal = session.refusal(peerUID: peer.budgetUID, token: nil) else { return }
        let service = daemon.service
        Task { _ = await service.budgetedRefusal(refusal, caller: peer.caller, method: "-", path: "-", source: peer.tcpSource ?? "loopback") }
    }
}
