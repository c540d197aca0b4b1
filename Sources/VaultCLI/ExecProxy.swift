import CVaultSystem
import Foundation
import VaultClient
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

/// `exec --proxy` (Docs/proxy.md): the daemon opens a loopback listener for one program; this
/// starts the program with `VOBIZ_BASE_URL` pointing at it and a stand-in in `VOBIZ_AUTH_TOKEN`,
/// names it to the daemon, waits for it, and ends the session. The real token never leaves
/// the daemon. Exit status: the program's (128 + N when signal N ended it); 125 when the vault
/// refused or could not be reached, 126 when the program could not be run, 127 when it was not
/// found — as `env` and `timeout` do, so the program's own statuses keep their meaning.
struct ExecProxy {
    let client: VaultClient
    let credential: String
    let argv: [String]

    static let refusedStatus: Int32 = 125

    enum Failure: Error, CustomStringConvertible {
        case vault(String)
        case spawn(program: String, errno: Int32)

        var description: String {
            switch self {
            case .vault(let why): why
            case .spawn(let program, let e): "cannot run \(program): \(String(cString: strerror(e)))"
            }
        }

        var status: Int32 {
            switch self {
            case .vault: ExecProxy.refusedStatus
            case .spawn(_, let e): e == ENOENT ? 127 : 126
            }
        }
    }

    /// Runs the program to its end; returns the status to exit with.
    func run() throws(Failure) -> Int32 {
        let session = try open()
        // A socket bound to the listener's port, held (never used) until this process exits: the
        // port stays reserved even if the daemon stops first, so no other user can bind it and
        // receive the program's calls.
        let held: Int32
        do { held = try holdPort(session) } catch {
            end(session.id)
            throw error
        }
        defer { close(held) }
        let pid: pid_t
        // A signal that comes while the program starts waits, and is then passed on to it.
        _ = vv_hold_forwarded_signals()
        do { pid = try spawn(session) } catch {
            end(session.id)
            throw error
        }
        _ = vv_forward_signals(pid)
        do { try attach(session.id, pid: pid) } catch {
            // The daemon would not serve it: the program stops before it could use the stand-in.
            kill(pid, SIGKILL)
            _ = wait(pid)
            end(session.id)
            throw error
        }
        let status = wait(pid)
        end(session.id)
        return status
    }

    struct Session {
        let id: String
        let baseURL: String
        let authID: String
        let standIn: String
        let handoff: String
    }

    func open() throws(Failure) -> Session {
        let doc = try call("POST", "/v1/exec", ["credential": credential])
        guard case .string(let id)? = doc["session"], case .string(let base)? = doc["base_url"],
              case .string(let authID)? = doc["auth_id"], case .string(let token)? = doc["token"],
              case .string(let handoff)? = doc["handoff"] else {
            throw .vault("the daemon's answer to POST /v1/exec lacks session, base_url, auth_id, token or handoff")
        }
        return Session(id: id.plainText, baseURL: base.plainText, authID: authID.plainText, standIn: token.plainText,
                       handoff: handoff.plainText)
    }

    /// Takes the daemon's holder of the session's port: from the daemon's uid only, and a TCP
    /// socket bound to 127.0.0.1 at the port of the base URL.
    func holdPort(_ s: Session) throws(Failure) -> Int32 {
        var fd: Int32 = -1
        let taken = vv_handoff_receive(s.handoff, client.expectedUID ?? getuid(), &fd)
        guard taken == 0 else {
            throw .vault("could not take the exec listener's port (\(String(cString: strerror(-taken)))); is this process in the daemon's network namespace?")
        }
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard named == 0, Int32(a.sin_family) == AF_INET, a.sin_addr.s_addr == in_addr_t(0x7f00_0001).bigEndian,
              "http://127.0.0.1:\(UInt16(bigEndian: a.sin_port))" == s.baseURL else {
            close(fd)
            throw .vault("the socket handed over for the exec listener is not bound to \(s.baseURL)")
        }
        return fd
    }

    func attach(_ id: String, pid: pid_t) throws(Failure) {
        _ = try call("POST", "/v1/exec/\(id)/child", ["pid": Int(pid)])
    }

    /// Ends the session; the daemon also ends it by itself when the program exits.
    func end(_ id: String) {
        _ = try? client.send(method: "DELETE", path: "/v1/exec/\(id)")
    }

    func call(_ method: String, _ path: String, _ body: [String: Any]) throws(Failure) -> JSONValue {
        do {
            let data = try JSONSerialization.data(withJSONObject: body)
            let response = try client.send(method: method, path: path, body: Array(data))
            try DaemonCall.check(response)
            return try response.body.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw .vault("\(error)")
        }
    }

    /// The program's environment: this one, with the three variables replaced.
    func environment(_ s: Session) -> [String] {
        let replaced: Set<String> = ["VOBIZ_AUTH_ID", "VOBIZ_AUTH_TOKEN", "VOBIZ_BASE_URL"]
        let kept = ProcessInfo.processInfo.environment.filter { !replaced.contains($0.key) }.map { "\($0.key)=\($0.value)" }
        return kept.sorted() + ["VOBIZ_AUTH_ID=\(s.authID)", "VOBIZ_AUTH_TOKEN=\(s.standIn)", "VOBIZ_BASE_URL=\(s.baseURL)"]
    }

    func spawn(_ s: Session) throws(Failure) -> pid_t {
        var pid: pid_t = 0
        let args = argv.map { strdup($0) } + [nil]
        let env = environment(s).map { strdup($0) } + [nil]
        defer { for p in args + env { free(p) } }
        let rc = args.withUnsafeBufferPointer { a in
            env.withUnsafeBufferPointer { e in
                a.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: a.count) { ap in
                    e.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: e.count) { ep in
                        vv_spawn(ap, ep, &pid)
                    }
                }
            }
        }
        guard rc == 0 else { throw .spawn(program: argv[0], errno: rc) }
        return pid
    }

    /// Waits for the program; its exit status, or 128 + the signal that ended it.
    func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return Self.refusedStatus }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
