import Foundation
import Testing
import VaultCore
import VaultStore
import VaultTestSupport

/// A server that stops answering without closing anything (every process stopped, as behind a
/// network that drops packets silently): a statement waits no longer than the answer deadline,
/// a new connection no longer than the connect timeout and a second, both end in
/// `StoreError.unavailable`, and the store works again once the server answers.
@Suite(.serialized) struct PostgresSilenceTests {
    @Test func aSilentServerIsGivenUpOnAndFoundAgain() throws {
        let pg = try PostgresCluster()
        defer { pg.remove() }
        let db = try pg.createDatabase(owner: pg.role)
        let url = PostgresURL(endpoint: .tcp(host: "127.0.0.1", port: pg.port), user: pg.role, database: db)
        let store = PostgresStore.connect(PostgresSettings(url: url, password: pg.password, poolSize: 1, connectTimeoutMillis: 500,
                                                           answerSeconds: 2, host: "host-a"))
        defer { store.close() }
        try store.migrate()
        #expect(try store.holdsVault() == false)

        try pg.pause()
        var resumed = false
        defer { if !resumed { try? pg.resume() } }
        // The pooled connection: the statement is sent and never answered.
        let first = Date()
        #expect(throws: StoreError.self) { try store.holdsVault() }
        let waited = Date().timeIntervalSince(first)
        #expect(waited >= 1.9 && waited < 5, "given up after the answer deadline: \(waited) s")
        // A new connection (once the one given up on has closed): the kernel accepts it, the
        // server never says a word.
        usleep(300_000)
        let second = Date()
        let error = #expect(throws: StoreError.self) { try store.holdsVault() }
        #expect(error?.isUnreachable == true, "\(String(describing: error))")
        let connecting = Date().timeIntervalSince(second)
        // A new connection (the first was closed when it was given up on), waited for, then given up on too.
        #expect(connecting >= 0.4 && connecting < 4, "a silent connect is given up on too: \(connecting) s")

        try pg.resume()
        resumed = true
        var answered = false
        for _ in 0..<50 where !answered {
            answered = (try? store.holdsVault()) == false
            if !answered { usleep(100_000) }
        }
        #expect(answered, "the store works again once the server answers")
    }
}
