import Testing
@testable import VaultCrypto
@testable import VaultService

/// The keyring alone: a sealed vault refuses what needs the key, unseal attempts go one at a
/// time, and each failure makes the next wait longer, up to 8 s, until one succeeds.
@Suite struct KeyringTests {
    @Test func unsealAttemptsAreSerialAndSlowedByFailures() throws {
        var ring = Keyring(keys: nil, masterKey: nil)
        #expect(!ring.isUnlocked)
        #expect(throws: ServiceError.self) { try ring.require() }
        var waits: [Duration] = []
        for _ in 0..<7 {
            waits.append(try ring.beginUnseal())
            #expect(throws: ServiceError.self, "a second attempt while one runs") { try ring.beginUnseal() }
            ring.endUnseal(.refused)
        }
        #expect(waits == [.zero, .milliseconds(500), .milliseconds(1000), .milliseconds(2000), .milliseconds(4000),
                          .milliseconds(8000), .milliseconds(8000)])
        _ = try ring.beginUnseal()
        let keys = try VaultKeys(dataKey: try SecureBytes.random(count: 32))
        ring.install(keys, masterKey: try SecureBytes.random(count: 32))
        ring.endUnseal(.unlocked)
        #expect(ring.isUnlocked && ring.masterKey != nil)
        #expect(try ring.beginUnseal() == .zero, "a success forgets the failures")
        // A failure that says nothing about the passphrase (the store) does not slow the next.
        ring.endUnseal(.failed)
        #expect(try ring.beginUnseal() == .zero)
    }

    @Test func aRekeyWithoutANewMasterKeyKeepsTheOneInHand() throws {
        let master = try SecureBytes.random(count: 32)
        var ring = Keyring(keys: try VaultKeys(dataKey: try SecureBytes.random(count: 32)), masterKey: master)
        ring.install(try VaultKeys(dataKey: try SecureBytes.random(count: 32)), masterKey: nil)
        #expect(ring.masterKey?.constantTimeEquals(master) == true)
    }
}
