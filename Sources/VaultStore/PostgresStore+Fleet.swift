import Foundation
import PostgresNIO

extension PostgresStore {
    /// What a nonce is spent for: callbacks and sealed signatures never refuse each other's.
    public enum NonceScope: String, Sendable { case callback, sealed }

    /// The server's clock in Unix seconds: expiries that hosts compare with each other are
    /// judged by one clock, not by each host's own.
    static let serverNow = "floor(extract(epoch FROM clock_timestamp()))::bigint"

    /// How long past its expiry a spent nonce is kept: a host whose clock runs behind the
    /// signer's still takes the signature as unexpired for that long (hosts keep their clocks
    /// within this of each other; Docs/fleet.md).
    public static let clockSkewAllowance: Int64 = 300

    /// Spends `nonce` for the whole fleet until `until`: true the first time, false while an
    /// earlier spend of it (on any host) has not expired by the server's clock, with the skew
    /// allowance. One statement of its own, outside the fleet's write lock: a callback costs one
    /// round trip, not a turn behind every write.
    public func spendOnce(_ scope: NonceScope, nonce: [UInt8], until: Int64) throws(StoreError) -> Bool {
        try statement { tx in
                try !tx.rows("""
                    INSERT INTO nonces (scope, nonce, expires_at) VALUES (\(scope.rawValue), \(Data(nonce)), \(until))
                    ON CONFLICT (scope, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
                    WHERE nonces.expires_at <= \(unescaped: Self.serverNow) - \(Self.clockSkewAllowance)
                    RETURNING 1
                    """).isEmpty
        }
    }

    /// Takes the fleet's lease on the JWT login of `authID` for `seconds` by the server's clock
    /// (this host may renew its own): true when this host is now the one to log in, false while
    /// another host's unexpired lease stands. The others wait for the session it stores.
    public func takeLoginLease(_ authID: String, seconds: Int64) throws(StoreError) -> Bool {
        try statement { tx in
            try !tx.rows("""
                INSERT INTO login_leases (auth_id, host, until) VALUES (\(authID), \(settings.host), \(unescaped: Self.serverNow) + \(seconds))
                ON CONFLICT (auth_id) DO UPDATE SET host = EXCLUDED.host, until = EXCLUDED.until
                WHERE login_leases.until <= \(unescaped: Self.serverNow) OR login_leases.host = EXCLUDED.host
                RETURNING 1
                """).isEmpty
        }
    }

    public func releaseLoginLease(_ authID: String) throws(StoreError) {
        try statement { tx in try tx.run("DELETE FROM login_leases WHERE auth_id = \(authID) AND host = \(settings.host)") }
    }

    /// One statement on a connection of the pool, outside any transaction of the fleet's. Those
    /// on a request's path (a nonce, a login lease) take no lock that waits: an answer within
    /// 2 s, or the store is unavailable; the minute's upkeep waits as any statement does.
    private func statement<T>(onRequestPath: Bool = true, _ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        let seconds = onRequestPath ? min(2, settings.answerSeconds) : settings.answerSeconds
        do {
            return try pool.withConnection { try body(PostgresTransaction(connection: $0, host: settings.host, answerSeconds: seconds)) }
        } catch { throw Self.map(error) }
    }

    /// Records that this host is alive (`fleet list`'s last seen).
    public func markSeen(now: Int64) throws(StoreError) {
        try statement(onRequestPath: false) { tx in try tx.run("UPDATE key_slots SET last_seen = \(now) WHERE host = \(settings.host)") }
    }

    /// Forgets nonces whose refusal has expired, skew allowance included; answers how many.
    @discardableResult
    public func purgeNonces() throws(StoreError) -> Int {
        try statement(onRequestPath: false) { tx in
            // Written so that the index on expires_at serves it; counted by the server, not row by row.
            let n = try tx.rows("""
                WITH gone AS (DELETE FROM nonces WHERE expires_at <= \(unescaped: Self.serverNow) - \(Self.clockSkewAllowance) RETURNING 1)
                SELECT count(*) FROM gone
                """).first?.decode(Int64.self) ?? 0
            return Int(n)
        }
    }

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
