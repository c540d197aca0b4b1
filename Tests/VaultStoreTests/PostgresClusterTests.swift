import Foundation
import Testing
import VaultTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The private PostgreSQL cluster the tests get: the shared one and one of a test's own.
@Suite struct PostgresClusterTests {
    @Test func sharedClusterAnswersOnItsSocket() throws {
        let pg = try PostgresCluster.shared
        let db = try pg.createDatabase()
        #expect(try pg.psql("SELECT 1", database: db) == "1")
        #expect(try pg.psql("SELECT current_database()", database: db) == db)
        #expect(try PostgresCluster.shared === pg)
        #expect(PostgresCluster.isListening(port: pg.port))
    }

    @Test func vaultRoleNeedsItsPasswordOverLoopback() throws {
        let pg = try PostgresCluster.shared
        let db = try pg.createDatabase(owner: pg.role)
        let who = "SELECT current_user || ' ' || host(inet_server_addr()) || ' ' || inet_server_port()"
        #expect(try pg.psql(who, database: db, role: pg.role, password: pg.password, tcp: true) == "vault 127.0.0.1 \(pg.port)")
        // SCRAM, not trust: a wrong password, none, and the superuser (who has none) are all refused.
        let wrong = #expect(throws: PostgresCluster.Failure.self) {
            try pg.psql("SELECT 1", database: db, role: pg.role, password: "not" + pg.password, tcp: true)
        }
        #expect(wrong?.description.contains("password authentication failed for user \"vault\"") == true)
        let none = #expect(throws: PostgresCluster.Failure.self) { try pg.psql("SELECT 1", database: db, role: pg.role, tcp: true) }
        #expect(none?.description.contains("no password supplied") == true)
        #expect(throws: PostgresCluster.Failure.self) { try pg.psql("SELECT 1", database: db, password: pg.password, tcp: true) }
    }

    @Test func passwordFileIsTheOwnersAlone() throws {
        let pg = try PostgresCluster.shared
        // Kept for the leak sweep under make test, which must find the password there and only there.
        let dir = try SuiteSweep.makeRoot("vv-pgpass-")
        defer { SuiteSweep.remove(dir) }
        // Only root may give a file away.
        try pg.writePasswordFile(at: dir + "/password", owner: getuid() == 0 ? (uid: 65534, gid: 65534) : nil)
        var st = stat()
        #expect(stat(dir + "/password", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(getuid() != 0 || (st.st_uid == 65534 && st.st_gid == 65534))
        #expect(try String(contentsOfFile: dir + "/password", encoding: .utf8) == pg.password)
        #expect(throws: PostgresCluster.Failure.self) { try pg.writePasswordFile(at: dir + "/password") }
    }

    @Test func dataDirectoryIsTheServerUsersAndDurable() throws {
        let pg = try PostgresCluster.shared
        var st = stat()
        #expect(stat(pg.dataDirectory, &st) == 0)
        #expect(st.st_uid == (getuid() == 0 ? getpwnam("postgres")?.pointee.pw_uid : getuid()))
        #expect(st.st_mode & 0o077 == 0)
        #expect(try pg.psql("SHOW data_directory") == pg.dataDirectory)
        #expect(try pg.psql("SHOW port") == String(pg.port))
        #expect(try pg.psql("SELECT current_setting('fsync') || current_setting('synchronous_commit')") == "onon")
    }

    @Test func terminateBackendsEndsTheNamedSessions() throws {
        let pg = try PostgresCluster.shared
        let name = "vv-sleeper-" + UUID().uuidString.prefix(8)
        let sleeper = Outcome()
        DispatchQueue.global().async {
            do { try pg.psql("SET application_name = '\(name)'; SELECT pg_sleep(60)") } catch { sleeper.error = "\(error)" }
            sleeper.done.signal()
        }
        var ended = 0
        for _ in 0..<400 where ended == 0 {
            ended = try pg.terminateBackends(applicationName: name)
            if ended == 0 { usleep(50_000) }
        }
        #expect(ended == 1)
        #expect(sleeper.done.wait(timeout: .now() + 30) == .success)
        #expect(sleeper.error?.contains("terminating connection due to administrator command") == true)
        #expect(try pg.terminateBackends(applicationName: name) == 0)
    }

    @Test func ownClusterStopsStartsAndIsRemoved() throws {
        let pg = try PostgresCluster()
        #expect(try pg.port != PostgresCluster.shared.port)
        let db = try pg.createDatabase()
        try pg.psql("CREATE TABLE t (v int); INSERT INTO t VALUES (42)", database: db)

        try pg.stop(mode: .fast)
        #expect(!PostgresCluster.isListening(port: pg.port))
        #expect(throws: PostgresCluster.Failure.self) { try pg.psql("SELECT 1", database: db) }
        try pg.start()
        #expect(try pg.psql("SELECT v FROM t", database: db) == "42")

        // After an immediate stop the server recovers from its WAL, and the committed row is there.
        try pg.psql("INSERT INTO t VALUES (43)", database: db)
        try pg.stop(mode: .immediate)
        #expect(!PostgresCluster.isListening(port: pg.port))
        try pg.start()
        #expect(try pg.psql("SELECT string_agg(v::text, ',' ORDER BY v) FROM t", database: db) == "42,43")

        let port = pg.port, directory = pg.directory
        pg.remove()
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(!PostgresCluster.isListening(port: port))
        pg.remove()
    }
}

/// What the sleeping session's psql ended with, written before `done` is signalled.
private final class Outcome: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    var error: String?
}
