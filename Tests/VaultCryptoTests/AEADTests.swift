import Foundation
import Testing
@testable import VaultCrypto

@Suite struct AEADTests {
    let key = try! SecureBytes.random(count: 32)
    let ad = Array("token_versions|MA_ABC|1|token".utf8)

    func secret(_ s: String) throws -> SecureBytes {
        try Array(s.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
    }

    func text(_ s: SecureBytes) -> String { s.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    @Test func roundTrip() throws {
        let sealed = try AEAD.seal(secret("canary-token-1"), key: key, associatedData: ad)
        #expect(sealed.count == 24 + 14 + 16)
        #expect(text(try AEAD.open(sealed, key: key, associatedData: ad)) == "canary-token-1")
        #expect(sealed.range(of: Data("canary".utf8)) == nil)
    }

    @Test func freshNonceEverySeal() throws {
        let a = try AEAD.seal(secret("same"), key: key, associatedData: ad)
        let b = try AEAD.seal(secret("same"), key: key, associatedData: ad)
        #expect(a != b)
        #expect(a.prefix(24) != b.prefix(24))
    }

    @Test(arguments: [0, 10, 23, 24, 30, 40, 53])
    func anyFlippedBitFails(position: Int) throws {
        var sealed = try AEAD.seal(secret("canary-token-1"), key: key, associatedData: ad)
        #expect(position < sealed.count)
        sealed[position] ^= 0x01
        #expect(throws: CryptoError.openFailed) { try AEAD.open(sealed, key: key, associatedData: ad) }
    }

    @Test func movedToAnotherRowFails() throws {
        let sealed = try AEAD.seal(secret("canary"), key: key, associatedData: ad)
        for other in ["token_versions|MA_ABD|1|token", "token_versions|MA_ABC|2|token", "login_credentials|MA_ABC|1|token"] {
            #expect(throws: CryptoError.openFailed) { try AEAD.open(sealed, key: key, associatedData: Array(other.utf8)) }
        }
    }

    @Test func wrongKeyFails() throws {
        let sealed = try AEAD.seal(secret("canary"), key: key, associatedData: ad)
        #expect(throws: CryptoError.openFailed) { try AEAD.open(sealed, key: try SecureBytes.random(count: 32), associatedData: ad) }
    }

    @Test func truncatedAndShortKeysAreRefused() throws {
        #expect(throws: CryptoError.malformedCiphertext) { try AEAD.open(Data(count: 39), key: key, associatedData: ad) }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 16)) {
            try AEAD.seal(secret("x"), key: try SecureBytes.random(count: 16), associatedData: ad)
        }
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let sealed = try AEAD.seal(try SecureBytes(count: 0), key: key, associatedData: [])
        #expect(try AEAD.open(sealed, key: key, associatedData: []).count == 0)
    }
}
