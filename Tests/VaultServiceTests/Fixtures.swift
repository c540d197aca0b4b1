import Foundation
import VaultTestSupport
import GRDB
import Synchronization
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

final class TestClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64 = 1_800_000_000) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(_ seconds: Int64) { value.withLock { $0 += seconds } }
    var source: VaultClock { VaultClock(seconds: { self.now }) }
}

/// A vault in a temporary directory with a random master key and canary tokens.
final class Fixture: @unchecked Sendable {
    let root: String
    let config: VaultConfig
    let key: SecureBytes
    let clock = TestClock()
    let actor = ActorIdentity(uid: 1000, user: "alice")
    /// Canary tokens: unique per fixture so a leak check cannot be fooled by another test.
    let canary = "CANARY" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    init() throws {
        root = try SuiteSweep.makeRoot("vv-svc-")
        SuiteSweep.canary("prefix", canary)
        var c = VaultConfig()
        c.vault.stateDir = root + "/state"
        config = c
        key = try SecureBytes.random(count: 32)
    }

    deinit { SuiteSweep.remove(root) }

    var dbPath: String { config.vault.stateDir + "/vault.db" }

    func token(_ suffix: String) -> String { canary + suffix }

    func secure(_ s: String) throws -> SecureBytes { try Array(s.utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }

    func initialize() throws -> VaultService {
        try VaultService.initialize(config: config, master: .key(key), actor: actor, clock: clock.source)
    }

    func open(key other: SecureBytes? = nil) throws -> VaultService {
        let k = other ?? key
        return try VaultService.open(config: config, unlock: { _ in .key(k) }, clock: clock.source)
    }

    func openReadOnly() throws -> VaultService {
        try VaultService.open(config: config, unlock: nil, clock: clock.source)
    }

    func json(_ records: [(String, String, String?)]) -> String {
        "[" + records.map { #"{"auth_id":"\#($0.0)","auth_token":"\#($0.1)"\#($0.2.map { #","label":"\#($0)""# } ?? "")}"# }
            .joined(separator: ",") + "]"
    }

    func importJSON(_ v: VaultService, _ records: [(String, String, String?)]) async throws -> ImportSummary {
        try await v.importInput(secure(json(records)), format: nil, actor: actor)
    }

    func raw() throws -> DatabaseQueue { try DatabaseQueue(path: dbPath) }

    /// Runs SQL behind the vault's back, as an attacker with file access would.
    func tamper(_ sql: String) throws { try raw().write { try $0.execute(sql: sql) } }

    func ciphertext(version: Int64) throws -> Data?? {
        try raw().read { try Data?.fetchOne($0, sql: "SELECT ciphertext FROM token_versions WHERE version = ?", arguments: [version]) }
    }

    /// Every byte the vault keeps on disk.
    func diskBytes() throws -> Data {
        var all = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: config.vault.stateDir).sorted() {
            all.append(try Data(contentsOf: URL(fileURLWithPath: config.vault.stateDir + "/" + name)))
        }
        return all
    }

    func fileDigests() throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: config.vault.stateDir) {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: config.vault.stateDir + "/" + name))
        }
        return out
    }
}
