import CVaultSystem
import Foundation
import NIOCore
import VaultCore
import VaultService
#if canImport(Glibc)
import Glibc
#endif

extension vv_ucred: @retroactive @unchecked Sendable {}

/// The caller on one connection, identified once at accept: `SO_PEERCRED` (uid, gid, pid), then
/// `/proc/<pid>`, and a pidfd (`SO_PEERPIDFD`) where the kernel has it.
final class PeerContext: Sendable {
    let caller: Caller
    /// A pidfd for the peer process, or -1. Readable once the process has exited.
    private let pidfd: Int32
    /// `/proc/<pid>/exe` of the peer, made once: the per-request check allocates nothing.
    private let exePath: [CChar]
    /// The image the peer ran at accept (device and inode), compared on every request: an exec
    /// of another program changes it, whatever path the new program shows.
    private let exeIdentity: FileIdentity?
    /// Who wrote the bytes read on this connection (nil on TCP).
    let writers: WriterLedger?
    /// A TCP peer: no process to identify; only signed requests are accepted from it.
    let isTCP: Bool
    /// What a TCP peer's refusals are budgeted by: the uid owning its socket where the kernel
    /// names it (a local user can pick any source address in 127.0.0.0/8, not another uid),
    /// else every loopback peer together.
    let tcpSource: String?
    /// The uid whose connection and in-flight budget this connection counts against: the
    /// peer's uid on a Unix socket; on TCP, the owner of the peer's socket as the kernel says
    /// (`unknownOwner` when it cannot say). It is not a caller identity: TCP peers match no grant.
    let budgetUID: UInt32
    static let unknownOwner = UInt32.max - 1

    init(caller: Caller, pidfd: Int32, exeIdentity: FileIdentity? = nil, writers: WriterLedger? = nil, tcpSource: String? = nil,
         budgetUID: UInt32? = nil) {
        self.caller = caller
        self.pidfd = pidfd
        self.exePath = Array("/proc/\(caller.pid)/exe".utf8CString)
        self.exeIdentity = exeIdentity
        self.writers = writers
        self.isTCP = tcpSource != nil
        self.tcpSource = tcpSource
        self.budgetUID = budgetUID ?? caller.uid
    }

    /// A peer of the loopback TCP listener, named by its address in audit rows. It matches no
    /// grant (uid and gid are the overflow ids no account has).
    static func tcp(_ channel: any Channel) -> EventLoopFuture<PeerContext> {
        let ip = channel.remoteAddress?.ipAddress ?? "?"
        let remote = channel.remoteAddress.map { "\(ip):\($0.port ?? 0)" } ?? "?"
        let caller = Caller(uid: UInt32.max, gid: UInt32.max, pid: 0, user: "tcp:" + remote, groups: [], exe: nil, unit: nil, startTime: 0)
        return ChannelDescriptor.of(channel).map { fd -> UInt32 in
            var uid: uid_t = 0
            return vv_tcp_peer_uid(fd, &uid) == 0 ? uid : unknownOwner
        }.recover { _ in unknownOwner }.map { owner in
            PeerContext(caller: caller, pidfd: -1, tcpSource: owner == unknownOwner ? "loopback" : "uid \(owner)", budgetUID: owner)
        }
    }

    deinit { if pidfd >= 0 { close(pidfd) } }

    static let soPeerPidfd: Int32 = 77

    /// Reads the peer's credentials from the accepted channel, and sets up the ledger of who
    /// writes on it (`fd`: the channel's descriptor).
    static func resolve(_ channel: any Channel, socket: Int32) -> EventLoopFuture<PeerContext> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(PeerError.noCredentials)
        }
        let cred: EventLoopFuture<vv_ucred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                                              name: SocketOptionName(SO_PEERCRED))
        let pidfd: EventLoopFuture<Int32> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                                            name: SocketOptionName(soPeerPidfd))
        // Without SO_PEERPIDFD (kernels before 6.5) the start time stands in for the pidfd; any
        // other failure (the peer already gone) refuses the connection rather than judge by
        // whatever process holds the pid now.
        let pidfdOrNone = pidfd.flatMapErrorThrowing { error -> Int32 in
            guard let io = error as? IOError, io.errnoCode == ENOPROTOOPT else { throw PeerError.noCredentials }
            return -1
        }
        return cred.and(pidfdOrNone).flatMapThrowing { (cred, fd) in
            guard cred.pid > 0, let start = ProcFS.startTime(cred.pid) else {
                if fd >= 0 { close(fd) }
                throw PeerError.noCredentials
            }
            let seen = CallerAttestation.of(pid: cred.pid)
            let caller = Caller(uid: cred.uid, gid: cred.gid, pid: cred.pid, user: SystemUsers.name(of: cred.uid),
                                groups: ProcFS.groups(cred.pid), exe: seen.exeBytes.map { String(decoding: $0, as: UTF8.self) },
                                unit: ProcFS.unit(cred.pid), startTime: start, exeAttested: seen.exeAttested,
                                unitAttested: seen.unitAttested, attestationNote: seen.note)
            // Without a pidfd, the details above must come from the process that connected:
            // the same start time before and after reading them.
            guard fd >= 0 || ProcFS.startTime(cred.pid) == start else { throw PeerError.noCredentials }
            return PeerContext(caller: caller, pidfd: fd, exeIdentity: seen.exeIdentity,
                               writers: WriterLedger(fd: socket, attestedPID: cred.pid))
        }
    }

    /// What the peer's pid runs now (nil when it is gone), for the audit row of a refusal.
    func currentExe() -> String? {
        if isTCP { return caller.exe }
        return ProcFS.exe(caller.pid)
    }

    /// Whether the process that connected is still the one there, running the same program:
    /// a pid reused by another process, or a caller that exec'd something else, is refused.
    func stillSame() -> Bool {
        if isTCP { return true }
        if pidfd >= 0 {
            // A pidfd refers to this very process: while it has not exited, its pid cannot have
            // been reused, so the start time need not be read again.
            var p = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 0) != 0 { return false }
        } else if ProcFS.startTime(caller.pid) != caller.startTime {
            return false
        }
        // An executable that could not be read at accept (a daemon running as its own user may
        // not read another user's) must still be unreadable: the check stays what it was.
        return ProcFS.identity(exePath) == exeIdentity
    }
}

enum PeerError: Error {
    case noCredentials
    /// The connection's descriptor could not be found, so its writers cannot be checked.
    case noDescriptor
}
