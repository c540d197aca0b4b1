import Foundation
import GRDB
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

@Suite(.serialized) struct VaultServiceTests {
    @Test func importLinksCustomersAndIsIdempotent() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        let s1 = try await f.importJSON(v, [("MA_C1", f.token("c1"), "Acme"), ("PA_P", f.token("p"), "Main")])
        #expect(s1.imported.map(\.authID.rawValue).sorted() == ["MA_C1", "PA_P"])
        #expect(try await v.show("MA_C1").parent?.rawValue == "PA_P")
        let s2 = try await f.importJSON(v, [("MA_C1", f.token("c1"), nil)])
        #expect(s2.imported.isEmpty && s2.unchanged.map(\.authID.rawValue) == ["MA_C1"])
        // A customer imported before the partner is linked when the partner arrives.
        let g = try Fixture()
        let w = try g.initialize()
        _ = try await g.importJSON(w, [("MA_EARLY", g.token("e"), nil)])
        #expect(try await w.show("MA_EARLY").parent == nil)
        let s3 = try await g.importJSON(w, [("PA_LATE", g.token("p"), nil)])
        #expect(s3.linked.map(\.rawValue) == ["MA_EARLY"])
        #expect(try await w.show("MA_EARLY").parent?.rawValue == "PA_LATE")
    }

    @Test func importIsAllOrNothing() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_C1", f.token("c1"), nil)])
        await #expect(throws: ServiceError.differentToken("MA_C1")) {
            try await f.importJSON(v, [("MA_NEW", f.token("n"), nil), ("MA_C1", f.token("other"), nil)])
        }
        #expect(try await v.list().map(\.authID.rawValue) == ["MA_C1"])
        _ = try await f.importJSON(v, [("PA_ONE", f.token("p1"), nil)])
        await #expect(throws: ServiceError.secondPartner(existing: "PA_ONE")) {
            try await f.importJSON(v, [("PA_TWO", f.token("p2"), nil)])
        }
        await #expect(throws: ServiceError.self) {
            try await f.importJSON(v, [("MA_OK", f.token("ok"), nil), ("MA_BAD", "has space", nil)])
        }
        #expect(try await v.list().count == 2)
    }

    @Test func rotateKeepsPreviousUntilGraceThenDestroys() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_C1", f.token("v1"), nil)])
        let r = try await v.rotate("MA_C1", token: f.secure(f.token("v2")), reason: "scheduled", grace: .days(7), actor: f.actor)
        #expect(r.activeVersion == 2 && r.previousVersion == 1 && r.previousDestroyAfter == f.clock.now + 7 * 86_400)
        let shown = try await v.show("MA_C1")
        #expect(shown.versions.map(\.status) == [.active, .previous])
        #expect(shown.versions[0].reason == "scheduled" && shown.versions[0].actor == ActorIdentity(uid: 1000, user: "alice"))
        #expect(try await f.importJSON(v, [("MA_C1", f.token("v2"), nil)]).unchanged.count == 1)
        await #expect(throws: ServiceError.sameToken("MA_C1")) {
            try await v.rotate("MA_C1", token: f.secure(f.token("v2")), reason: nil, grace: nil, actor: f.actor)
        }
        f.clock.advance(7 * 86_400)
        #expect(try await v.destroyExpired(actor: f.actor) == 1)
        let after = try await v.show("MA_C1")
        #expect(after.versions.map(\.status) == [.active, .destroyed])
        let ciphertext = try f.ciphertext(version: 1)
        #expect(ciphertext == .some(nil))
        await #expect(throws: ServiceError.noPreviousVersion("MA_C1")) { try await v.rollback("MA_C1", reason: nil, actor: f.actor) }
    }

    @Test func rollbackSwapsActiveAndPrevious() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("PA_P", f.token("v1"), nil)])
        _ = try await v.rotate("partner", token: f.secure(f.token("v2")), reason: nil, grace: nil, actor: f.actor)
        let back = try await v.rollback("partner", reason: "new token rejected", actor: f.actor)
        #expect(back.activeVersion == 1 && back.previousVersion == 2)
        #expect(try await f.importJSON(v, [("PA_P", f.token("v1"), nil)]).unchanged.count == 1)
        let again = try await v.rollback("partner", reason: nil, actor: f.actor)
        #expect(again.activeVersion == 2)
    }

    @Test func compromisedRotationDestroysTheOldTokenAtOnce() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_C1", f.token("v1"), nil)])
        let revoked = try await v.revoke("MA_C1", compromised: true, reason: "leaked in a log", actor: f.actor)
        #expect(revoked.state == .compromised)
        #expect(try await v.findings().map(\.kind) == [.compromisedNotRotated])
        let r = try await v.rotate("MA_C1", token: f.secure(f.token("v2")), reason: nil, grace: nil, actor: f.actor)
        #expect(r.previousVersion == nil)
        let a = try await v.show("MA_C1")
        #expect(a.state == .active && a.versions.map(\.status) == [.active, .destroyed])
        #expect(try await v.findings().isEmpty)
    }

    @Test func dueAndFindingsFollowPolicy() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_C1", f.token("1"), nil), ("MA_C2", f.token("2"), nil)])
        _ = try await v.edit("MA_C2", label: "short-lived", maxAge: .days(10), warn: .days(3), resetPolicy: false, actor: f.actor)
        #expect(try await v.due(within: nil).isEmpty)
        #expect(try await v.due(within: .days(100)).map(\.account.authID.rawValue) == ["MA_C2", "MA_C1"])
        f.clock.advance(8 * 86_400)
        #expect(try await v.findings().map(\.kind) == [.rotationDue])
        f.clock.advance(3 * 86_400)
        #expect(try await v.findings().map(\.kind) == [.rotationOverdue])
        #expect(Finding.exitCode(for: try await v.findings()) == 2)
        _ = try await v.edit("MA_C2", label: nil, maxAge: nil, warn: nil, resetPolicy: true, actor: f.actor)
        #expect(try await v.findings().isEmpty)
    }

    @Test func wrongKeyIsReportedAndChangesNoByte() async throws {
        let f = try Fixture()
        do {
            let v = try f.initialize()
            _ = try await f.importJSON(v, [("MA_C1", f.token("1"), nil)])
            await v.checkpoint()
        }
        let before = try f.fileDigests()
        #expect(throws: ServiceError.wrongMasterKey) { try f.open(key: try SecureBytes.random(count: 32)) }
        #expect(ServiceError.wrongMasterKey.description == "master key does not open this vault")
        #expect(try f.fileDigests() == before)
        #expect(throws: ServiceError.masterKeyKindMismatch(vaultUses: "key file (pass --key-file)")) {
            try VaultService.open(config: f.config, unlock: { _ in .passphrase(try f.secure("some passphrase")) })
        }
        _ = try f.open()
    }

    @Test func tamperedOrMovedCiphertextIsNamed() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil), ("MA_B", f.token("b"), nil)])
        // Move MA_B's ciphertext into MA_A's row: it must not open as MA_A's token.
        try f.tamper("""
            UPDATE token_versions SET ciphertext = (SELECT t.ciphertext FROM token_versions t JOIN accounts a ON a.id = t.account_id WHERE a.auth_id = 'MA_B')
            WHERE account_id = (SELECT id FROM accounts WHERE auth_id = 'MA_A')
            """)
        await #expect(throws: ServiceError.tampered("token_versions row MA_A version 1")) {
            try await f.importJSON(v, [("MA_A", f.token("b"), nil)])
        }
        await #expect(throws: ServiceError.tampered("token_versions row MA_A version 1")) {
            try await v.rekey(newMaster: nil, newDataKey: true, actor: f.actor)
        }
    }

    @Test func auditRecordsEveryChangeAndDetectsEdits() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil)])
        _ = try await v.rotate("MA_A", token: f.secure(f.token("a2")), reason: "why", grace: nil, actor: f.actor)
        _ = try await v.revoke("MA_A", compromised: false, reason: nil, actor: f.actor)
        let ops = try await v.auditTail(10).map(\.op)
        #expect(ops == ["init", "import", "rotate", "revoke"])
        // Every row's time is the vault's clock (a test clock far from today's date).
        #expect(try await v.auditTail(10).allSatisfy { $0.atMillis == f.clock.now * 1000 })
        #expect(try await v.auditVerify() == .intact(rows: 4))
        try f.tamper("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3")
        #expect(try await v.auditVerify() == .broken(seq: 3, problem: .edited))
        try f.tamper("DELETE FROM audit_events WHERE seq = 3")
        #expect(try await v.auditVerify() == .broken(seq: 3, problem: .deleted))
        await #expect(throws: ServiceError.self) { try await v.rekey(newMaster: nil, newDataKey: true, actor: f.actor) }
    }

    @Test func rekeyMasterThenDataKey() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil), ("PA_P", f.token("p"), nil)])
        let oldFingerprint = try await v.show("MA_A").activeVersion!.fingerprint
        let newKey = try SecureBytes.random(count: 32)
        _ = try await v.rekey(newMaster: .key(newKey), newDataKey: false, actor: f.actor)
        #expect(throws: ServiceError.wrongMasterKey) { try f.open() }
        let w = try f.open(key: newKey)
        #expect(try await w.show("MA_A").activeVersion!.fingerprint == oldFingerprint)
        _ = try await w.rekey(newMaster: nil, newDataKey: true, actor: f.actor)
        let x = try f.open(key: newKey)
        #expect(try await x.show("MA_A").activeVersion!.fingerprint != oldFingerprint)
        #expect(try await f.importJSON(x, [("MA_A", f.token("a"), nil), ("PA_P", f.token("p"), nil)]).unchanged.count == 2)
        #expect(try await x.auditVerify() == .intact(rows: 5))
        // To a passphrase (cheap Argon2id parameters for the test).
        let params = try PassphraseKDFParameters.fresh(opsLimit: 1, memLimit: 8 << 20)
        _ = try await x.rekey(newMaster: .passphrase(f.secure("correct horse battery")), newDataKey: false, actor: f.actor, kdfParameters: params)
        #expect(throws: ServiceError.self) { try f.open(key: newKey) }
        let y = try VaultService.open(config: f.config, unlock: { needs in
            #expect(needs)
            return .passphrase(try f.secure("correct horse battery"))
        })
        #expect(try await y.status().masterKeyKind == "passphrase")
        #expect(throws: ServiceError.wrongMasterKey) {
            try VaultService.open(config: f.config, unlock: { _ in .passphrase(try f.secure("wrong horse battery")) })
        }
    }

    @Test func readOnlyOpenNeedsNoKeyAndRefusesChanges() async throws {
        let f = try Fixture()
        do {
            let v = try f.initialize()
            _ = try await f.importJSON(v, [("MA_A", f.token("a"), nil)])
        }
        let r = try f.openReadOnly()
        #expect(try await r.list().count == 1)
        await #expect(throws: ServiceError.self) { try await f.importJSON(r, [("MA_B", f.token("b"), nil)]) }
        await #expect(throws: ServiceError.self) { try await r.auditVerify() }
    }

    @Test func canariesNeverReachDiskInTheClear() async throws {
        let f = try Fixture()
        let v = try f.initialize()
        _ = try await f.importJSON(v, [("MA_A", f.token("a"), "label"), ("PA_P", f.token("p"), nil)])
        _ = try await v.rotate("MA_A", token: f.secure(f.token("a2")), reason: nil, grace: TimeSpan(seconds: 0), actor: f.actor)
        _ = try await v.rekey(newMaster: nil, newDataKey: true, actor: f.actor)
        let disk = try f.diskBytes()
        #expect(disk.range(of: Data(f.canary.utf8)) == nil)
        let audit = try await v.auditPage(after: 0, limit: 10_000).events.map { "\($0)" }.joined()
        #expect(!audit.contains(f.canary))
    }
}

@Suite struct AuditDetailTests {
    @Test func stringsAreEscapedAsJSON() throws {
        let cases = ["plain/path_1", "quote\"back\\slash", "ctl\u{0}\u{1F}\u{7F}", "nl\n\r\t", "é ✓ \u{80}"]
        for s in cases {
            let q = AuditDetail.quoted(s)
            // What JSONSerialization reads back is the original string.
            let back = try JSONSerialization.jsonObject(with: Data(("[" + q + "]").utf8)) as? [String]
            #expect(back == [s], "\(s.debugDescription) → \(q)")
            #expect(!q.utf8.dropFirst().dropLast().contains { $0 < 0x20 || $0 == 0x7F }, "\(q.debugDescription)")
        }
        let d = AuditDetail.json(["b": "x\"y", "a": 1, "c": true]) ?? ""
        #expect(d == #"{"a":1,"b":"x\"y","c":true}"#)
    }
}
