import CVaultSystem
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import VaultCore
import VaultCrypto
import VaultService
#if canImport(Glibc)
import Glibc
#endif

/// One `exec --proxy` session (Docs/proxy.md): a loopback listener that serves one program, the
/// stand-in token that program was given, and the program itself once the caller has named it.
/// The session ends when the program exits, when the caller closes it, when no program is named
/// within `attachDeadline`, or when the daemon stops.
final class ExecSession: Sendable {
    let id: String
    let authID: AuthID
    /// The caller who ran `exec`: its grants decide every call the program makes.
    let opener: Caller
    /// SHA-256 of the stand-in token; the token itself is not kept.
    private let standInDigest: Data
    private let state = NIOLockedValueBox<State>(.waiting)
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    /// The abstract Unix socket the caller takes its holder of the port from, while it waits.
    private let handoff = NIOLockedValueBox<Int32>(-1)
    let openedAt = ContinuousClock.now
    static let attachDeadline: Duration = .seconds(10)

    enum State {
        case waiting
        case attached(ActorIdentity, pidfd: Int32)
        case closed
    }

    private init(id: String, authID: AuthID, opener: Caller, standInDigest: Data) {
        self.id = id
        self.authID = authID
        self.opener = opener
        self.standInDigest = standInDigest
    }

    /// A new session and the stand-in token its program is given.
    static func make(authID: AuthID, opener: Caller) -> (ExecSession, standIn: String) {
        let standIn = "vvx_" + Hex.encode([UInt8](Random.data(count: 32)))
        let session = ExecSession(id: Hex.encode([UInt8](Random.data(count: 12))), authID: authID, opener: opener,
                                  standInDigest: Data(SHA256.hash(Array(standIn.utf8))))
        return (session, standIn)
    }

    /// Keeps the listener to close with the session; one bound after the session ended is closed now.
    func listen(on channel: any Channel) {
        let ended = state.withLockedValue { s -> Bool in
            if case .closed = s { return true }
            listener.withLockedValue { $0 = channel }
            return false
        }
        if ended { channel.close(promise: nil) }
    }

    /// The handoff socket, shut down when the session ends so that its thread stops waiting.
    func handOver(on fd: Int32) {
        let ended = isClosed
        handoff.withLockedValue { $0 = fd }
        if ended { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// The handoff's thread is done: its socket closes.
    func handedOver() {
        let fd = handoff.withLockedValue { fd -> Int32 in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Why a request on the listener is not the program's: another uid's connection, or a token
    /// that is not the stand-in. Nil when it is.
    func refusal(peerUID: UInt32, token: String?) -> Refusal? {
        guard peerUID == opener.uid else {
            let who = peerUID == PeerContext.unknownOwner ? "a connection whose owner the kernel did not name" : "uid \(peerUID)"
            return Refusal(.notGranted, "this listener serves only the program `vobiz-vault exec` started for uid \(opener.uid), not \(who)")
        }
        guard let token, ConstantTime.equals(Data(SHA256.hash(Array(token.utf8))), standInDigest) else {
            return Refusal(.notGranted, "X-Auth-Token is not the stand-in this listener gave its program")
        }
        return nil
    }

    /// The program, once named; waits up to `within` for the caller to name it.
    func child(within: Duration) async -> ActorIdentity? {
        let deadline = ContinuousClock.now + within
        while true {
            switch state.withLockedValue({ $0 }) {
            case .attached(let identity, _): return identity
            case .closed: return nil
            case .waiting:
                guard ContinuousClock.now < deadline else { return nil }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Names the program: a child of the caller that opened the session, running as its uid
    /// alone. Only that same caller may name it, once.
    func attach(pid: Int32, by caller: Caller) throws(Refusal) -> ActorIdentity {
        guard isOpener(caller) else { throw Refusal(.notGranted, "only the process that opened exec session \(id) may name its program") }
        guard case .waiting = state.withLockedValue({ $0 }) else { throw Refusal(.badRequest, "exec session \(id) has a program already, or has ended") }
        guard pid > 0 else { throw Refusal(.badRequest, "pid must be a positive process id") }
        try Self.checkChild(pid, of: opener)
        let fd = vv_pidfd_open(pid)
        guard fd >= 0 else { throw Refusal(.badRequest, "process \(pid) cannot be watched: \(String(cString: strerror(-fd)))") }
        // The pid could have been reused between the check and the pidfd: checked again, the
        // pidfd now holds on to the process that passed.
        do { try Self.checkChild(pid, of: opener) } catch {
            Glibc.close(fd)
            throw error
        }
        let identity = ActorIdentity(uid: opener.uid, user: opener.user ?? String(opener.uid), pid: pid, exe: ProcFS.exe(pid))
        let taken = state.withLockedValue { s -> Bool in
            guard case .waiting = s else { return false }
            s = .attached(identity, pidfd: fd)
            return true
        }
        guard taken else {
            Glibc.close(fd)
            throw Refusal(.badRequest, "exec session \(id) has a program already, or has ended")
        }
        return identity
    }

    static func checkChild(_ pid: Int32, of opener: Caller) throws(Refusal) {
        guard let text = ProcFS.read("/proc/\(pid)/status"), let status = ProcessStatus(statusFile: text) else {
            throw Refusal(.badRequest, "no process \(pid)")
        }
        if let problem = status.problemAsChild(ofPID: opener.pid, uid: opener.uid) {
            throw Refusal(.notGranted, "\(pid): \(problem)")
        }
    }

    func isOpener(_ caller: Caller) -> Bool {
        caller.pid == opener.pid && caller.startTime == opener.startTime && caller.uid == opener.uid
    }

    /// Why the session should end now, or nil: its program exited, or none was named in time.
    func ending(now: ContinuousClock.Instant) -> String? {
        switch state.withLockedValue({ $0 }) {
        case .closed: return nil
        case .waiting: return now - openedAt > Self.attachDeadline ? "no program was named within \(Self.attachDeadline)" : nil
        case .attached(_, let fd):
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, 0) != 0 ? "the program exited" : nil
        }
    }

    /// The program named, if any.
    var program: ActorIdentity? {
        if case .attached(let identity, _) = state.withLockedValue({ $0 }) { return identity }
        return nil
    }

    /// Ends the session: the listener closes and the stand-in is worthless. True the first time.
    @discardableResult
    func close() async -> Bool {
        let was = state.withLockedValue { s -> State in
            let old = s
            s = .closed
            return old
        }
        if case .closed = was { return false }
        if case .attached(_, let fd) = was { Glibc.close(fd) }
        handoff.withLockedValue { if $0 >= 0 { shutdown($0, Int32(SHUT_RDWR)) } }
        let channel = listener.withLockedValue { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
        return true
    }

    var isClosed: Bool {
        if case .closed = state.withLockedValue({ $0 }) { return true }
        return false
    }
}
