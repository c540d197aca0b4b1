import VaultCore

/// A request the daemon refuses: a stable problem type and a detail for the caller. The
/// detail never holds a secret.
public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let type: ProblemType
    public let detail: String

    public init(_ type: ProblemType, _ detail: String) {
        self.type = type
        self.detail = detail
    }

    public var description: String { "\(type.rawValue): \(detail)" }
}
