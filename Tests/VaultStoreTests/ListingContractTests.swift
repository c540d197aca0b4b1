import Foundation
import Testing
@testable import VaultCore
@testable import VaultStore

/// The reads that walk many accounts, for every backend: pages that cover the vault exactly once
/// in listing order, counts, and the one pass of rotation inputs, each the same as the account
/// infos say.
@Suite struct ListingContractTests {
    /// A partner, `n` customers (every seventh revoked, every fifth with its own max age), and
    /// versions activated on different days.
    static func fill(_ store: any VaultStorage, customers n: Int) throws {
        try store.write { tx in
            var p = AccountRecord(authID: try AuthID("PA_P"), label: "", parent: nil, createdAt: 1)
            try tx.insert(&p)
            try Self.version(tx, p, activated: 500)
            for i in 0..<n {
                var a = AccountRecord(authID: try AuthID(String(format: "MA_C%05d", (i * 7919) % 100_000)), label: "c\(i)",
                                      parent: try AuthID("PA_P"), createdAt: 1)
                if i % 7 == 0 { a.state = .revoked }
                if i % 5 == 0 { a.maxAgeSeconds = 86_400 * Int64(1 + i % 30) }
                try tx.insert(&a)
                if i % 11 != 0 { try Self.version(tx, a, activated: Int64(i) * 3_600) }
            }
        }
    }

    static func version(_ tx: any StoreTransaction, _ a: AccountRecord, activated: Int64) throws {
        var v = TokenVersionRecord(accountID: try a.storedID, version: 1, status: .active, ciphertext: Data([1, 2, 3]), fingerprint: "fp",
                                   source: .import, createdAt: activated, actor: ActorIdentity(uid: 0, user: "root"), reason: nil)
        try tx.insert(&v)
    }

    @Test(arguments: StorageContractTests.backends) func pagesCoverTheVaultOnceInListingOrder(_ backend: String) throws {
        let (owner, store) = try StorageContractTests.make(backend)
        defer { withExtendedLifetime(owner) {} }
        try Self.fill(store, customers: 1_234)
        let all = try store.read { try $0.accountInfos() }
        #expect(all.count == 1_235 && all.first?.authID.rawValue == "PA_P")
        #expect(all.dropFirst().map(\.authID.rawValue) == all.dropFirst().map(\.authID.rawValue).sorted())
        for size in [1, 100, 1_234, 1_235, 5_000] {
            var paged: [AccountInfo] = [], after: AuthID?
            repeat {
                let ids = try store.read { try $0.accountIDs(after: after, limit: size) }
                #expect(ids.count <= size)
                paged += try store.read { try $0.accountInfos(ids: ids) }
                after = ids.count == size ? ids.last : nil
            } while after != nil
            #expect(paged == all, "page size \(size)")
        }
        let missing = try store.read { try $0.accountInfos(ids: [try AuthID("MA_NOPE"), try AuthID("PA_P")]) }
        #expect(missing.map(\.authID.rawValue) == ["PA_P"])
    }

    @Test(arguments: StorageContractTests.backends) func countsAndRotationInputsAgreeWithTheInfos(_ backend: String) throws {
        let (owner, store) = try StorageContractTests.make(backend)
        defer { withExtendedLifetime(owner) {} }
        try Self.fill(store, customers: 700)
        let all = try store.read { try $0.accountInfos() }
        let counts = try store.read { try $0.accountCounts() }
        #expect(counts == Dictionary(grouping: all, by: \.state).mapValues(\.count))
        var inputs: [RotationInput] = []
        try store.read { try $0.forEachRotationInput { inputs.append($0) } }
        #expect(inputs.count == all.count)
        let byID = Dictionary(uniqueKeysWithValues: inputs.map { ($0.authID, $0) })
        let defaults = RotationPolicy.standard
        for now: Int64 in [0, 86_400 * 20, 86_400 * 95, 86_400 * 400] {
            for a in all {
                let input = try #require(byID[a.authID.rawValue])
                #expect(input.state == a.state)
                #expect(input.schedule(defaults: defaults, now: now) == a.schedule(defaults: defaults, now: now), "\(a.authID)")
            }
        }
    }

    @Test(arguments: StorageContractTests.backends) func insertsKeepEveryColumn(_ backend: String) throws {
        let (owner, store) = try StorageContractTests.make(backend)
        defer { withExtendedLifetime(owner) {} }
        var p = AccountRecord(authID: try AuthID("PA_FULL"), label: "", parent: nil, createdAt: 5)
        var a = AccountRecord(authID: try AuthID("MA_FULL"), label: "Full ü", parent: try AuthID("PA_FULL"), createdAt: 7)
        a.state = .compromised
        a.stateChangedAt = 8
        a.stateReason = "leaked"
        a.maxAgeSeconds = 86_400
        a.warnSeconds = 3_600
        a.rejectedAt = 9
        a.rejectedBy = "proxy"
        try store.write { tx in
            try tx.insert(&p)
            try tx.insert(&a)
        }
        var v = TokenVersionRecord(accountID: try a.storedID, version: 3, status: .previous, ciphertext: Data([9, 8, 7]), fingerprint: "f",
                                   source: .capture, createdAt: 10, actor: ActorIdentity(uid: 42, user: "ops"), reason: "why")
        v.activatedAt = 11
        v.retiredAt = 12
        v.destroyAfter = 13
        try store.write { try $0.insert(&v) }
        #expect(try store.read { try $0.account(try AuthID("MA_FULL")) } == a)
        #expect(try store.read { try $0.versions(of: try a.storedID) } == [v])
        #expect(p.id != nil && a.id != nil && v.id != nil && a.id != p.id)
    }

    /// The store's pick of a due page (SQL) agrees with the Core rule run over every account.
    @Test(arguments: StorageContractTests.backends) func duePagesChosenByTheStoreMatchTheRule(_ backend: String) throws {
        let (owner, store) = try StorageContractTests.make(backend)
        defer { withExtendedLifetime(owner) {} }
        try Self.fill(store, customers: 900)
        try store.write { tx in
            // Ties on the due date, broken by auth id, and overrides of warn.
            for i in 0..<40 {
                var a = AccountRecord(authID: try AuthID("MA_TIE\(i)"), label: "", parent: nil, createdAt: 1)
                a.warnSeconds = i % 3 == 0 ? 86_400 * 60 : nil
                try tx.insert(&a)
                try Self.version(tx, a, activated: 86_400 * 10)
            }
        }
        for (now, window) in [(Int64(86_400 * 95), nil), (86_400 * 40, TimeSpan.days(30)), (86_400 * 400, nil), (0, nil)] as [(Int64, TimeSpan?)] {
            var whole = DueSelection(defaults: .standard, now: now, window: window, after: nil, limit: 100_000)
            try store.read { try $0.forEachRotationInput { whole.add($0) } }
            let expected = whole.finish().authIDs
            for size in [1, 7, 100, 5_000] {
                var paged: [String] = [], after: DueSelection.Cursor?
                repeat {
                    let inputs = try store.read { try $0.dueInputs(defaults: .standard, now: now, window: window, after: after, limit: size + 1) }
                    var page = DueSelection(defaults: .standard, now: now, window: window, after: after, limit: size)
                    inputs.forEach { page.add($0) }
                    #expect(inputs.count <= size + 1)
                    let chosen = page.finish()
                    paged += chosen.authIDs
                    after = chosen.next
                } while after != nil
                #expect(paged == expected, "now \(now), window \(String(describing: window)), page \(size)")
            }
            #expect(!expected.isEmpty || now == 0)
        }
    }
}
