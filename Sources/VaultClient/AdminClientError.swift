import Foundation

/// Why an admin API call failed: the daemon's problem+json refusal, or an answer that is not
/// the API's.
public enum AdminClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `type` is the stable suffix (`unknown_credential`, `conflict`, …).
    case problem(type: String, status: Int, detail: String)
    case malformed(String)

    init(_ r: VaultClient.Response) {
        let o = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any]
        guard let type = (o?["type"] as? String)?.split(separator: ":").last, let detail = o?["detail"] as? String else {
            self = .malformed("the daemon answered HTTP \(r.status) without a problem description")
            return
        }
        self = .problem(type: String(type), status: r.status, detail: detail)
    }

    public var description: String {
        switch self {
        case .problem(_, _, let detail): detail
        case .malformed(let why): why
        }
    }
}
