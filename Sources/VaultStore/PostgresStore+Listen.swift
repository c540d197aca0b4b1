import PostgresNIO

extension PostgresStore {
    /// The channel every change's transaction notifies, with its sequence number as payload.
    static let changeChannel = "vobiz_vault_changes"

    /// Listens for the fleet's changes on a connection of its own: calls `onNotice` once the
    /// listen is in place (changes committed before it are found by the reader, not missed) and
    /// again at each notice. Returns or throws when the connection ends (the server restarted,
    /// the connection was terminated) or the task is cancelled; the caller listens again, and
    /// its first `onNotice` then re-reads everything past the last change it saw.
    public func listenForChanges(_ onNotice: @escaping @Sendable () async -> Void) async throws {
        let connection: PostgresConnection
        do { connection = try await pool.connecting().get() } catch { throw Self.map(error) }
        do {
            try await withTaskCancellationHandler {
                try await connection.listen(on: Self.changeChannel) { notices in
                    await onNotice()
                    for try await _ in notices { await onNotice() }
                }
            } onCancel: {
                let closing: EventLoopFuture<Void> = connection.close()
                closing.whenComplete { _ in }
            }
        } catch {
            // Closed before it goes: a connection dropped open trips PostgresNIO's check.
            try? await connection.close()
            throw Self.map(error)
        }
        try? await connection.close()
    }
}
