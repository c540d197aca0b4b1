import Foundation
import GRDB
import Testing
@testable import VaultCore
@testable import VaultStore
import VaultTestSupport

/// A fresh vault database in its own temporary directory.
final class TempStore {
    let dir: String
    let store: SQLiteStore

    /// Kept for the leak sweep under `VOBIZ_VAULT_TEST_KEEP` (see VaultTestSupport.SuiteSweep).
    static let keep = ProcessInfo.processInfo.environment["VOBIZ_VAULT_TEST_KEEP"].flatMap { $0.isEmpty ? nil : $0 }

    init() throws {
        dir = (Self.keep.map { $0 + "/" } ?? NSTemporaryDirectory()) + "vv-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try SeededStore.create(at: dir + "/vault.db")
    }

    deinit { if Self.keep == nil { try? FileManager.default.removeItem(atPath: dir) } }

    /// A raw connection, to act as an attacker or a buggy caller would.
    func raw() throws -> DatabaseQueue { try DatabaseQueue(path: dir + "/vault.db") }
}

@Suite struct StoreTests {
    @Test func migrationsBuildTheContractTablesFromAnEmptyFile() throws {
        let t = try TempStore()
        let tables = try t.raw().read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        for name in ["accounts", "token_versions", "login_credentials", "jwt_sessions", "signing_keys", "audit_events", "vault_meta"] {
            #expect(tables.contains(name), "missing table \(name)")
        }
        #expect(try t.store.isCurrent())
    }

    @Test func pragmasAreSecure() throws {
        let t = try TempStore()
        #expect(try t.store.synchronousMode() == 2)
        let (mode, secureDelete, foreignKeys) = try t.store.queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA secure_delete"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(secureDelete == 1)
        #expect(foreignKeys == 1)
    }

    @Test func createRefusesAnExistingFile() throws {
        let t = try TempStore()
        #expect(throws: StoreError.alreadyExists(path: t.dir + "/vault.db")) { try SQLiteStore.create(at: t.dir + "/vault.db") }
        #expect(throws: StoreError.notAVault(path: t.dir + "/nope.db")) { try SQLiteStore.open(at: t.dir + "/nope.db", readOnly: true) }
    }

    /// `openUntouched` reads the latest commit and leaves `vault.db`, `-wal` and `-shm` as they
    /// were: files copied while a writer held them (as a SIGKILL leaves them), with and without
    /// the -shm, then the cleanly closed file. The directory name holds the characters a SQLite
    /// URI gives a meaning to. (SQLite shares one -shm mapping among the connections of a
    /// process, so the writer cannot be a live connection of this one.)
    @Test func untouchedOpenReadsTheWALAndChangesNoFile() throws {
        let root = NSTemporaryDirectory() + "vv-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let live = root + "/live", crashed = root + "/crashed ?#%41", noSHM = root + "/no-shm ?#%41"
        for dir in [live, crashed, noSHM] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let writer = try SQLiteStore.create(at: live + "/vault.db")
        try writer.write { tx in
            try tx.insertMeta(VaultMetaRecord(format: 1, vaultID: String(repeating: "a", count: 32), createdAt: 1, kekKind: .key,
                                              kdfSalt: nil, kdfOpsLimit: nil, kdfMemLimit: nil, wrappedDEK: Data(count: 72),
                                              kekID: "in-wal", kekSetAt: 1, dekID: "d", dekCreatedAt: 1))
        }
        func files(_ dir: String) -> [String: Data] {
            var out: [String: Data] = [:]
            for suffix in ["", "-wal", "-shm"] { out[suffix] = FileManager.default.contents(atPath: dir + "/vault.db" + suffix) }
            return out
        }
        for (dir, suffixes) in [(crashed, ["", "-wal", "-shm"]), (noSHM, ["", "-wal"])] {
            for suffix in suffixes { try FileManager.default.copyItem(atPath: live + "/vault.db" + suffix, toPath: dir + "/vault.db" + suffix) }
        }
        writer.close()
        #expect(files(crashed)["-wal"].map { !$0.isEmpty } == true && files(crashed)["-shm"] != nil)
        #expect(files(noSHM).keys.sorted() == ["", "-wal"])
        #expect(files(live).keys.sorted() == [""])
        for dir in [crashed, noSHM, live] {
            let before = files(dir)
            let probe = try SQLiteStore.openUntouched(at: dir + "/vault.db")
            #expect(try probe.read { try $0.meta().kekID } == "in-wal", "\(dir)")
            probe.close()
            #expect(files(dir) == before, "\(dir)")
        }
    }

    func account(_ t: TempStore, _ id: String) throws -> AccountRecord {
        var a = AccountRecord(authID: try AuthID(id), label: "", parent: nil, createdAt: 1)
        try t.store.write { try $0.insert(&a) }
        return a
    }

    func version(_ a: AccountRecord, _ v: Int64, _ status: TokenStatus = .active) -> TokenVersionRecord {
        var r = TokenVersionRecord(accountID: a.id!, version: v, status: status, ciphertext: Data([1, 2, 3]), fingerprint: "f",
                                   source: .import, createdAt: 1, actor: ActorIdentity(uid: 0, user: "root"), reason: nil)
        if status == .previous { r.destroyAfter = 10 }
        return r
    }

    /// The statement must fail with a constraint violation, not with a syntax error.
    func refused(_ t: TempStore, _ sql: String) {
        do {
            try t.raw().write { try $0.execute(sql: sql) }
            Issue.record("SQLite accepted: \(sql)")
        } catch let e as DatabaseError {
            #expect(e.resultCode == .SQLITE_CONSTRAINT, "\(sql): \(e)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func sqliteRefusesInconsistentRows() throws {
        let t = try TempStore()
        let a = try account(t, "MA_ONE")
        _ = try account(t, "PA_P")
        var v1 = version(a, 1)
        try t.store.write { try $0.insert(&v1) }

        // A second partner, an id of the wrong kind, a bad state.
        refused(t, "INSERT INTO accounts (auth_id, kind, created_at) VALUES ('PA_Q', 'partner', 1)")
        refused(t, "INSERT INTO accounts (auth_id, kind, created_at) VALUES ('MA_X', 'partner', 1)")
        refused(t, "INSERT INTO accounts (auth_id, kind, created_at) VALUES ('ZZ_X', 'customer', 1)")
        refused(t, "INSERT INTO accounts (auth_id, kind, state, created_at) VALUES ('MA_Y', 'customer', 'lost', 1)")
        refused(t, "INSERT INTO accounts (auth_id, kind, parent_auth_id, created_at) VALUES ('MA_Z', 'customer', 'PA_NOPE', 1)")
        refused(t, "INSERT INTO accounts (auth_id, kind, created_at) VALUES ('MA_ONE', 'customer', 1)")
        // Two active versions, a duplicate version, destroyed with ciphertext, active without it.
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 2, 'active', x'01', 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 1, 'pending', x'01', 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 3, 'destroyed', x'01', 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 4, 'pending', NULL, 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (999, 1, 'pending', x'01', 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 5, 'previous', x'01', 'f', 'rotate', 1)")
        refused(t, "INSERT INTO token_versions (account_id, version, status, ciphertext, fingerprint, source, created_at) VALUES (\(a.id!), 6, 'pending', x'01', 'f', 'stolen', 1)")
        // Accounts with versions cannot be deleted; the meta row is unique; audit MACs are 32 bytes.
        refused(t, "DELETE FROM accounts WHERE auth_id = 'MA_ONE'")
        refused(t, "INSERT INTO vault_meta (id, format, vault_id, created_at, kek_kind, wrapped_dek, kek_id, kek_set_at, dek_id, dek_created_at) VALUES (2, 1, '\(String(repeating: "b", count: 32))', 1, 'key', zeroblob(72), 'k', 1, 'd', 1)")
        refused(t, "INSERT INTO audit_events (seq, at_ms, op, outcome, prev_mac, mac) VALUES (1, 1, 'x', 'ok', zeroblob(31), zeroblob(32))")
        refused(t, "INSERT INTO audit_events (seq, at_ms, op, outcome, prev_mac, mac) VALUES (1, 1, 'x', 'maybe', zeroblob(32), zeroblob(32))")
        refused(t, "INSERT INTO vault_meta (id, format, vault_id, created_at, kek_kind, wrapped_dek, kek_id, kek_set_at, dek_id, dek_created_at) VALUES (1, 1, 'x', 1, 'passphrase', zeroblob(72), 'k', 1, 'd', 1)")
    }

    @Test func storeRefusalsSurfaceAsConstraintErrors() throws {
        let t = try TempStore()
        let a = try account(t, "MA_ONE")
        var v1 = version(a, 1), v2 = version(a, 2)
        try t.store.write { try $0.insert(&v1) }
        #expect(throws: StoreError.self) { try t.store.write { try $0.insert(&v2) } }
        // Nothing of the failed transaction remains.
        #expect(try t.store.read { try $0.versions(of: a.id!) }.count == 1)
    }

    @Test func accountInfosCarryVersionsNewestFirstAndNoCiphertext() throws {
        let t = try TempStore()
        let a = try account(t, "MA_ONE")
        var v1 = version(a, 1, .previous), v2 = version(a, 2)
        try t.store.write { tx in try tx.insert(&v1); try tx.insert(&v2) }
        let info = try t.store.read { try $0.accountInfos() }
        #expect(info.count == 1)
        #expect(info[0].versions.map(\.version) == [2, 1])
        #expect(info[0].activeVersion?.version == 2)
        #expect(try t.store.read { try $0.versionsPastGrace(now: 11) }.map(\.1.version) == [1])
        #expect(try t.store.read { try $0.versionsPastGrace(now: 9) }.isEmpty)
    }

    @Test func auditAppendsChainAndMoveTheHead() throws {
        let t = try TempStore()
        struct M: AuditChain.AuditMAC {
            func mac(_ m: [UInt8]) -> Data { Data(SHA.digest(m)) }
            func equal(_ a: Data, _ b: Data) -> Bool { a == b }
        }
        try t.store.write { tx in
            for i in 1...3 {
                try tx.appendAudit(AuditEvent(seq: 0, atMillis: Int64(i), actor: nil, op: "op\(i)", authID: nil, version: nil,
                                              outcome: .ok, reason: nil, detail: nil), using: M())
            }
        }
        let (rows, head) = try t.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(rows.map(\.seq) == [1, 2, 3])
        #expect(head?.seq == 3)
        #expect(AuditChain.verify(rows, head: head, using: M()) == .intact(rows: 3))
        #expect(try t.store.read { try $0.auditTail(limit: 2) }.map(\.seq) == [2, 3])
        // A group append calls back after each row inserted, and chains on from the head.
        var calls = 0
        try t.store.write { tx in
            let more = (4...8).map { AuditEvent(seq: 0, atMillis: Int64($0), actor: nil, op: "op\($0)", authID: nil, version: nil,
                                                outcome: .ok, reason: nil, detail: nil) }
            try tx.appendAudit(more, using: M(), afterEach: { calls += 1 })
        }
        #expect(calls == 5)
        let (all, last) = try t.store.read { (try $0.auditEvents(), try $0.auditHeadRecord()) }
        #expect(all.map(\.op) == (1...8).map { "op\($0)" } && last?.seq == 8)
        #expect(AuditChain.verify(all, head: last, using: M()) == .intact(rows: 8))
    }
}

/// A small SHA-256 for test MACs, so this target needs no crypto module.
enum SHA {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        let k: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
            0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
            0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
            0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
            0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
            0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ]
        var m = message + [0x80]
        while m.count % 64 != 56 { m.append(0) }
        let bits = UInt64(message.count) * 8
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        for chunk in stride(from: 0, to: m.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 64)
            for i in 0..<16 { w[i] = (0..<4).reduce(0) { $0 << 8 | UInt32(m[chunk + i * 4 + $1]) } }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } }
    }
}
