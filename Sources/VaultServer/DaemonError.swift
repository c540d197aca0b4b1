/// Why the daemon will not start.
public enum DaemonError: Error, CustomStringConvertible {
    case notLoopback(String)

    public var description: String {
        switch self {
        case .notLoopback(let address):
            "the proxy socket passed by systemd is bound to \(address), not a loopback address; the proxy listens on 127.0.0.0/8 or [::1] only"
        }
    }
}
