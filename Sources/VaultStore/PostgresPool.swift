import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Up to `poolSize` connections to the fleet's PostgreSQL server, for the storage API's
/// synchronous transactions: a caller blocks for a free connection, then on its queries.
///
/// The connections run on an event loop of their own, never the daemon's or Swift's
/// cooperative pool, so blocking on their futures cannot deadlock either. A connection that
/// broke is dropped and the next caller opens a new one: after a restart or a failover behind
/// the same address, the first transaction that finds the server again succeeds.
final class PostgresPool: @unchecked Sendable {
    let settings: PostgresSettings
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var closed = false

    init(settings: PostgresSettings) {
        self.settings = settings
        var l = Logger(label: "vobiz-vault.postgres")
        l.logLevel = .critical
        logger = l
    }

    deinit {
        close()
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` on a connection of the pool; a connection found closed afterwards is dropped.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let c = try acquire()
        do {
            let r = try body(c)
            release(c)
            return r
        } catch {
            release(c)
            throw error
        }
    }

    func close() {
        condition.lock()
        closed = true
        let all = idle
        idle = []
        condition.broadcast()
        condition.unlock()
        for c in all { _ = try? c.close().blockingResult() }
    }

    /// Opens one connection outside the pool (the change listener keeps one for itself).
    func connect() throws -> PostgresConnection {
        do {
            // The connect timeout covers TCP's handshake only: a server that accepts and then
            // says nothing (hung, or stopped) is given up on a little later, and a connection
            // that opens after all is closed.
            let opening = try connecting()
            return try opening.blockingResult(within: Double(settings.connectTimeoutMillis) / 1000 + 1, waitsAfterGivingUp: false) {
                opening.whenSuccess { c in c.close().whenComplete { _ in } }
            }
        } catch { throw PostgresStore.map(error) }
    }

    func connecting() throws -> EventLoopFuture<PostgresConnection> {
        PostgresConnection.connect(on: group.next(), configuration: try configuration(), id: 0, logger: logger)
    }

    private func acquire() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed { condition.unlock(); throw StoreError.io("the PostgreSQL store is closed") }
            if let c = idle.popLast() {
                if c.isClosed { opened -= 1; continue }
                condition.unlock()
                return c
            }
            if opened < settings.poolSize { break }
            condition.wait()
        }
        opened += 1
        condition.unlock()
        do {
            return try connect()
        } catch {
            condition.lock()
            opened -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func release(_ c: PostgresConnection) {
        condition.lock()
        if c.isClosed || closed {
            opened -= 1
        } else {
            idle.append(c)
        }
        let shut = closed
        condition.signal()
        condition.unlock()
        if shut, !c.isClosed { _ = try? c.close().blockingResult() }
    }

    private func configuration() throws -> PostgresConnection.Configuration {
        let u = settings.url
        var config: PostgresConnection.Configuration
        switch u.endpoint {
        case .socket:
            config = .init(unixSocketPath: u.socketPath ?? "", username: u.user, password: settings.password, database: u.database)
        case .tcp(let host, let port):
            config = .init(host: host, port: port, username: u.user, password: settings.password, database: u.database, tls: try tls(host: host))
            // A certificate for an address is checked against the address; SNI takes names only.
            if settings.tls == .verifyFull, !host.contains(":"), !host.allSatisfy({ $0.isNumber || $0 == "." }) {
                config.options.tlsServerName = host
            }
        }
        config.options.connectTimeout = .milliseconds(settings.connectTimeoutMillis)
        // Limits on the server's side: a host stalled inside a transaction (paused, cut off)
        // loses it and the fleet's write lock with it, and no statement waits without end.
        config.options.additionalStartupParameters = [
            ("application_name", settings.host),
            ("options", "-c lock_timeout=10000 -c statement_timeout=60000 -c idle_in_transaction_session_timeout=30000"),
        ]
        return config
    }

    private func tls(host: String) throws -> PostgresConnection.Configuration.TLS {
        switch settings.tls {
        case .disable: return .disable
        case .require, .verifyFull:
            var t = TLSConfiguration.makeClientConfiguration()
            t.minimumTLSVersion = .tlsv12
            if settings.tls == .require {
                t.certificateVerification = .none
            } else {
                t.certificateVerification = .fullVerification
                if let ca = settings.caFile { t.trustRoots = .file(ca) }
            }
            do { return .require(try NIOSSLContext(configuration: t)) } catch {
                throw StoreError.cannotOpen(path: settings.url.description, reason: "TLS settings: \(error)")
            }
        }
    }
}
