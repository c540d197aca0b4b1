import VaultCore
import VaultCrypto

/// The id of the request being answered: random, made when the connection hands the request
/// on, carried as a task-local so that the audit row, the answer's `X-Vault-Request-Id` header and a
/// problem body's `request_id` all name the same request.
public enum RequestID {
    @TaskLocal public static var current: String?

    public static func new() -> String { Hex.encode(Random.data(count: 8)) }

    /// The current request's id, or a new one for work no connection asked for.
    public static var currentOrNew: String { current ?? new() }
}
