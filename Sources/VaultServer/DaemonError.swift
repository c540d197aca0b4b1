/// Why the daemon will not start.
public enum DaemonError: Error, CustomStringConvertible {
    case notLoopback(String)
    case signalPipe(Int32)
    /// A socket option the caller checks depend on could not be set.
    case socket(String)

    public var description: String {
        switch self {
        case .notLoopback(let address):
            "the proxy socket passed by systemd is bound to \(address), not a loopback address; the proxy listens on 127.0.0.0/8 or [::1] only"
        case .signalPipe(let errno):
            "cannot create the pipe that carries SIGHUP (errno \(errno)); is the descriptor limit reached?"
        case .socket(let why):
            why
        }
    }
}
