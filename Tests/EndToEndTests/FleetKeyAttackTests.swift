import Foundation
import Testing
import VaultCore
import VaultCrypto
@testable import VaultService
import VaultTestSupport

/// A writer of the fleet's database who holds no key (Docs/threat-model.md) tries to hand a
/// host a data key of its own making, so that what the host seals afterwards opens for it.
@Suite(.serialized) struct FleetKeyAttackTests {
    /// A key of the attacker's, sealed to the slot of `host`, and the chain's head rewritten
    /// to authenticate under it; answers the key's fingerprint.
    static func forgeKey(_ fleet: FleetHarness, for host: String) throws -> String {
        let hex = try fleet.pg.psql("SELECT encode(public_key, 'hex') FROM key_slots WHERE host = '\(host)'", database: fleet.database)
        let publicKey = try #require(Hex.decode(hex))
        let fake = try SecureBytes.random(count: 32)
        let keys = try VaultKeys(dataKey: fake)
        let sealed = try SealedBox.seal(fake, to: publicKey)
        let head = try fleet.pg.psql("""
            SELECT m.audit_head_seq || ' ' || encode(e.mac, 'hex') FROM vault_meta m JOIN audit_events e ON e.seq = m.audit_head_seq
            """, database: fleet.database).split(separator: " ")
        let tag = AuditChain.headTag(seq: Int64(head[0])!, lastMAC: Data(Hex.decode(String(head[1]))!), using: keys.audit)
        try fleet.pg.psql("""
            UPDATE key_slots SET sealed_dek = '\\x\(Hex.encode(sealed))', admitted_by = 'host-a' WHERE host = '\(host)';
            UPDATE vault_meta SET audit_head_tag = '\\x\(Hex.encode(tag))';
            """, database: fleet.database)
        return keys.checkFingerprint
    }

    @Test func aJoiningHostRefusesAKeyThatIsNotTheFleets() throws {
        let fleet = try FleetHarness(count: 1)
        let a = fleet.hosts[0]
        let list = try a.s.vv(["fleet", "list", "--json"] + a.cfg)
        let real = try #require((try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["data_key_fingerprint"] as? String)
        let joiner = try DaemonHarness(extra: fleet.store("host-x"), seed: false)
        let joining = try Binary.start(["fleet", "join", "--wait", "20s", "--vault-fingerprint", real] + joiner.cfg)
        let err = Binary.Drain(joining.err)
        _ = try FleetHarness.waitForRequest(joiner, name: "host-x", member: a)
        // The attacker admits the request itself, with a key of its own.
        let forged = try Self.forgeKey(fleet, for: "host-x")
        #expect(forged != real)
        joining.process.waitUntilExit()
        let said = String(decoding: err.data(), as: UTF8.self)
        #expect(joining.process.terminationStatus != 0, "the forged key must be refused")
        #expect(said.contains("not the fleet's"), "\(said)")
        // Nothing of the forged key was kept: the slot holds no wrapped key.
        #expect(try fleet.pg.psql("SELECT wrapped_dek IS NULL FROM key_slots WHERE host = 'host-x'", database: fleet.database) == "t")
    }

    @Test func aMemberRefusesAReplacementKeyWithoutProof() throws {
        let fleet = try FleetHarness(count: 2)
        let (a, b) = (fleet.hosts[0], fleet.hosts[1])
        try fleet.startAll()
        let token = a.s.token("beta")
        #expect(try FleetTests.handedOut(b, "MA_BETA").token == token)
        let before = try fleet.pg.psql("SELECT encode(wrapped_dek, 'hex') FROM key_slots WHERE host = 'host-b'", database: fleet.database)
        // A "rekey" by the attacker: a new data key id, a key of its own sealed to B, a made-up proof.
        _ = try Self.forgeKey(fleet, for: "host-b")
        try fleet.pg.psql("""
            UPDATE key_slots SET dek_proof = '\\x\(String(repeating: "ab", count: 32))' WHERE host = 'host-b';
            UPDATE vault_meta SET dek_id = 'forged0000000000';
            INSERT INTO changes (at_ms, host, scope) VALUES (0, 'host-a', 'vault');
            SELECT pg_notify('vobiz_vault_changes', '0');
            """, database: fleet.database)
        sleep(3)
        // B took nothing: its own wrapping is unchanged and the forged key still waits in its slot.
        let after = try fleet.pg.psql("SELECT encode(wrapped_dek, 'hex') || ' ' || (sealed_dek IS NOT NULL) FROM key_slots WHERE host = 'host-b'",
                                      database: fleet.database)
        #expect(after == before + " true", "\(after)")
        #expect(b.log().contains("proof"), "the refusal is logged")
        #expect(!b.log().contains(token))
    }

    /// The writer adds an active slot of its own, and swaps a member's public key for its own,
    /// then waits for the `rekey --data-key` that removing a host calls for.
    @Test func aRekeySealsTheNewKeyOnlyToSlotsAMemberVouchedFor() throws {
        let fleet = try FleetHarness(count: 3)
        let (a, b) = (fleet.hosts[0], fleet.hosts[1])
        try fleet.startAll()
        let attackerKey = try BoxKeyPair()
        let pk = Hex.encode(attackerKey.publicKey)
        try fleet.pg.psql("""
            INSERT INTO key_slots (host, state, public_key, sealed_secret, kek_kind, kek_id, kek_set_at, created_at, admitted_at)
            VALUES ('evil', 'active', '\\x\(pk)', '\\x00', 'key', 'k', 0, 0, 0);
            UPDATE key_slots SET public_key = '\\x\(Hex.encode(try BoxKeyPair().publicKey))' WHERE host = 'host-c';
            """, database: fleet.database)
        let rekey = try a.s.vv(["rekey", "--data-key"] + a.cfg)
        #expect(rekey.code == 0, "\(rekey.all)")
        let sealed = try fleet.pg.psql("SELECT string_agg(host || '=' || (sealed_dek IS NOT NULL), ',' ORDER BY host) FROM key_slots",
                                       database: fleet.database)
        #expect(sealed.contains("evil=false") && sealed.contains("host-c=false"), "no key for a slot nobody vouched for: \(sealed)")
        // B, vouched for at its admission, takes the new key and goes on.
        var served = false
        for _ in 0..<100 where !served {
            served = try FleetTests.handedOut(b, "MA_BETA").token == a.s.token("beta")
            usleep(50_000)
        }
        #expect(served)
        let audit = try a.auditJSON().last { $0["op"] as? String == "rekey" }
        #expect("\(audit ?? [:])".contains("evil") && "\(audit ?? [:])".contains("host-c"), "the unvouched slots are named in the audit row")
    }

    /// The writer puts back a dump taken before a revocation, so that the revoked token would be
    /// handed out again. A host that saw the later chain refuses the older database (CLI and
    /// daemon alike), with a message that says what happened and how to accept a deliberate
    /// restore; once the operator removes the host's record, it opens again.
    @Test func aDatabasePutBackToAnOlderDumpIsRefused() throws {
        let fleet = try FleetHarness(count: 1)
        let a = fleet.hosts[0]
        let dump = try fleet.pg.dump(fleet.database)
        let revoke = try a.s.vv(["revoke", "MA_BETA", "--compromised"] + a.cfg)
        #expect(revoke.code == 0, "\(revoke.all)")
        // The host looks at the database (every opening does) and so records the longer chain.
        #expect(try a.s.vv(["list"] + a.cfg).code == 0)

        try fleet.pg.restore(fleet.database, from: dump)
        let refused = try a.s.vv(["list"] + a.cfg)
        #expect(refused.code != 0 && refused.err.contains("audit chain ends at row") && refused.err.contains("fleet-watermark"), "\(refused.all)")
        let show = try a.s.vv(["show", "MA_BETA", "--json"] + a.cfg)
        #expect(show.code != 0 && !show.out.contains("\"active\""), "\(show.all)")
        let serve = try Binary.run(["serve"] + a.cfg, timeout: 30)
        a.s.captured.append(serve.all)
        #expect(serve.code != 0 && serve.err.contains("audit chain ends at row"), "the daemon refuses to start: \(serve.all)")

        // A restore made on purpose: the operator removes the record, and the host opens the database as it is.
        try FileManager.default.removeItem(atPath: a.s.state + "/fleet-watermark")
        #expect(try a.s.vv(["list"] + a.cfg).code == 0)
    }

    /// The same restore under a running host that saw the revocation: at its next look (every
    /// 2 s) the daemon finds the chain is not the one it saw, drops its keys and refuses every
    /// credential, the revoked one included, and its log says why.
    @Test func aRunningHostRefusesADatabasePutBackUnderIt() throws {
        let fleet = try FleetHarness(count: 1)
        let a = fleet.hosts[0]
        try a.start()
        defer { _ = a.stop() }
        let dump = try fleet.pg.dump(fleet.database)
        let revoke = try a.s.vv(["revoke", "MA_BETA", "--compromised"] + a.cfg)
        #expect(revoke.code == 0, "\(revoke.all)")
        let head = try #require(try a.auditJSON().last?["seq"] as? Int)
        #expect(a.recordedChainLength(reaching: head) >= head, "the daemon looked at the database after the revocation")

        try fleet.pg.restore(fleet.database, from: dump)
        let restored = Date()
        var answer: [String: Any] = [:]
        repeat {
            usleep(100_000)
            answer = try a.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/", credential: "MA_ACME")
        } while answer["headers"] != nil && Date().timeIntervalSince(restored) < 20
        let took = Date().timeIntervalSince(restored)
        #expect(answer["headers"] == nil && took < 10, "still served \(took) s after the database was put back")
        #expect(problemType(answer) == "sealed", "\(answer)")
        #expect(try FleetTests.handedOut(a, "MA_BETA").token == nil, "the revoked token is refused too")
        #expect(try a.curl(["http://v/v1/health"]).contains("\"status\":\"sealed\""))
        // Said once: the looks after it have no keys to guard.
        usleep(2_500_000)
        #expect(a.log().components(separatedBy: "older than this host saw").count == 2, "\(a.log())")
    }
}
