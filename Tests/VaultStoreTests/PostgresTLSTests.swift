import Foundation
import Testing
import VaultCore
import VaultStore
import VaultTestSupport

/// `[store] tls` against a real PostgreSQL that serves TLS and refuses TCP clients without it
/// (Docs/fleet.md): `require` encrypts without checking the certificate, `verify-full` checks the
/// chain against `ca_file` and the name against the host in the URL, and `disable` is refused
/// by such a server. The password never appears in what a failure says.
@Suite(.serialized) struct PostgresTLSTests {
    /// One cluster for the suite: a server certificate for the name `localhost` only.
    final class Server: Sendable {
        let pg: PostgresCluster
        let certificates: TestCertificates
        let otherCA: String
        let directory: String

        init() throws {
            pg = try PostgresCluster()
            directory = try SuiteSweep.makeRoot("vv-pgtls-")
            certificates = try TestCertificates(in: directory, names: ["DNS:localhost"])
            otherCA = try TestCertificates(in: directory, names: ["DNS:localhost"], tag: "other").caFile
            try pg.requireTLS(certificate: certificates.certificateFile, key: certificates.keyFile)
        }

        deinit {
            pg.remove()
            SuiteSweep.remove(directory)
        }
    }

    static let server = Result { try Server() }

    /// Opens a new database of the server over TCP at `host` and migrates it.
    static func open(host: String, tls: PostgresSettings.TLS, caFile: String? = nil) throws -> Result<Void, StoreError> {
        let s = try server.get()
        let db = try s.pg.createDatabase(owner: s.pg.role)
        let url = PostgresURL(endpoint: .tcp(host: host, port: s.pg.port), user: s.pg.role, database: db)
        let store = PostgresStore.connect(PostgresSettings(url: url, password: s.pg.password, tls: tls, caFile: caFile, host: "host-a"))
        defer { store.close() }
        do throws(StoreError) {
            try store.migrate()
            return .success(())
        } catch {
            #expect(!error.description.contains(s.pg.password), "a failure names the password")
            return .failure(error)
        }
    }

    static func failure(_ r: Result<Void, StoreError>) -> String? {
        if case .failure(let e) = r { return e.description }
        return nil
    }

    @Test func verifyFullOpensWithTheRightAuthorityAndName() throws {
        let s = try Self.server.get()
        let r = try Self.open(host: "localhost", tls: .verifyFull, caFile: s.certificates.caFile)
        #expect(Self.failure(r) == nil, "\(r)")
    }

    @Test func requireEncryptsWithoutCheckingTheCertificate() throws {
        let r = try Self.open(host: "127.0.0.1", tls: .require)
        #expect(Self.failure(r) == nil, "\(r)")
    }

    @Test func verifyFullRefusesACertificateFromAnotherAuthority() throws {
        let s = try Self.server.get()
        let r = try Self.open(host: "localhost", tls: .verifyFull, caFile: s.otherCA)
        #expect(Self.failure(r)?.contains("certificate was not accepted") == true, "\(r)")
    }

    @Test func verifyFullRefusesACertificateForAnotherName() throws {
        let s = try Self.server.get()
        // The certificate names localhost; the URL names the address.
        let r = try Self.open(host: "127.0.0.1", tls: .verifyFull, caFile: s.certificates.caFile)
        #expect(Self.failure(r)?.contains("certificate was not accepted") == true, "a certificate for localhost accepted for 127.0.0.1: \(r)")
    }

    @Test func verifyFullWithoutCAFileTrustsOnlyTheSystemAuthorities() throws {
        let r = try Self.open(host: "localhost", tls: .verifyFull)
        #expect(Self.failure(r)?.contains("certificate was not accepted") == true, "\(r)")
    }

    @Test func disableIsRefusedByAServerThatRequiresTLS() throws {
        let r = try Self.open(host: "127.0.0.1", tls: .disable)
        #expect(Self.failure(r)?.contains("no encryption") == true || Self.failure(r)?.contains("pg_hba") == true, "\(r)")
    }
}
