import Foundation
import Testing
@testable import VaultCrypto

@Suite struct SealedBoxTests {
    /// A stand-in for the data key: 32 bytes whose text is easy to spot in a dump.
    let canaryKey = Array("canary-data-key-0123456789abcdef".utf8)

    func text(_ s: SecureBytes) -> String { s.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    @Test func roundTrip() throws {
        let joiner = try BoxKeyPair()
        let sealed = try SealedBox.seal(secure(canaryKey), to: joiner.publicKey)
        #expect(sealed.count == canaryKey.count + SealedBox.overhead)
        #expect(SealedBox.overhead == 48)
        #expect(sealed.range(of: Data("canary".utf8)) == nil)
        let opened = try SealedBox.open(sealed, with: joiner)
        #expect(opened.count == 32)
        #expect(text(opened) == "canary-data-key-0123456789abcdef")
        #expect(try SealedBox.open(SealedBox.seal(SecureBytes(count: 0), to: joiner.publicKey), with: joiner).count == 0)
    }

    @Test func freshEphemeralKeyEverySeal() throws {
        let joiner = try BoxKeyPair()
        let a = try SealedBox.seal(secure(canaryKey), to: joiner.publicKey)
        let b = try SealedBox.seal(secure(canaryKey), to: joiner.publicKey)
        #expect(a.prefix(32) != b.prefix(32))
        #expect(a != b)
    }

    @Test func anotherKeyPairCannotOpen() throws {
        let sealed = try SealedBox.seal(secure(canaryKey), to: BoxKeyPair().publicKey)
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(sealed, with: BoxKeyPair()) }
    }

    /// The ephemeral public key, the ciphertext and the tag are each covered.
    @Test(arguments: [0, 17, 31, 32, 40, 47, 48, 63, 79])
    func anyFlippedBitFails(position: Int) throws {
        let joiner = try BoxKeyPair()
        var sealed = try SealedBox.seal(secure(canaryKey), to: joiner.publicKey)
        #expect(position < sealed.count)
        sealed[position] ^= 0x01
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(sealed, with: joiner) }
    }

    @Test func truncatedBoxFails() throws {
        let joiner = try BoxKeyPair()
        let sealed = try SealedBox.seal(secure(canaryKey), to: joiner.publicKey)
        for cut in [Data(), sealed.prefix(SealedBox.overhead - 1), sealed.prefix(SealedBox.overhead), sealed.dropLast()] {
            #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(Data(cut), with: joiner) }
        }
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func refusesPublicKeyOfWrongLength(length: Int) throws {
        #expect(throws: CryptoError.slotKeyLength(actual: length)) {
            try SealedBox.seal(secure(canaryKey), to: [UInt8](repeating: 9, count: length))
        }
    }

    /// Zero and the other points of small order (libsodium's blocklist): a box sealed to one of
    /// them would be keyed by an all-zero shared secret that anyone can compute.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ])
    func refusesSmallOrderPublicKey(point: String) throws {
        #expect(throws: CryptoError.weakSlotKey) { try SealedBox.seal(secure(canaryKey), to: bytes(hex: point)) }
    }

    @Test func keptSecretKeyReDerivesThePublicKey() throws {
        let original = try BoxKeyPair()
        let kept = try original.secretKey.prefix(BoxKeyPair.secretKeyLength)
        let again = try BoxKeyPair(secretKey: kept)
        #expect(again.publicKey == original.publicKey)
        let sealed = try SealedBox.seal(secure(canaryKey), to: original.publicKey)
        #expect(text(try SealedBox.open(sealed, with: again)) == "canary-data-key-0123456789abcdef")
    }

    @Test func secretKeyDerivationMatchesRFC7748() throws {
        let alice = try BoxKeyPair(secretKey: secure(bytes(hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))
        #expect(hex(Data(alice.publicKey)) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    }

    @Test func refusesUnusableKeptSecretKey() throws {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 31)) { try BoxKeyPair(secretKey: SecureBytes(count: 31)) }
        #expect(throws: CryptoError.blankSlotSecretKey) { try BoxKeyPair(secretKey: SecureBytes(count: 32)) }
    }

    @Test func fingerprintIsStableAndDomainSeparated() throws {
        let pk = bytes(hex: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        // Recomputable by hand: printf 'vobiz-vault key slot v1' | cat - pk.bin | sha256sum
        #expect(hex(Data(BoxKeyPair.fingerprint(of: pk))) == "1e92b4e315be72c9ecbeba9a506fb80e6c740c07d98efcfea5384cefe29f5619")
        #expect(BoxKeyPair.fingerprint(of: pk) != SHA256.hash(pk))
        let pair = try BoxKeyPair()
        #expect(pair.fingerprint == BoxKeyPair.fingerprint(of: pair.publicKey))
        #expect(try BoxKeyPair(secretKey: pair.secretKey).fingerprint == pair.fingerprint)
        #expect(try BoxKeyPair().fingerprint != pair.fingerprint)
    }

    @Test func errorsTellTheOperatorWhatToDo() {
        for error: CryptoError in [.slotKeyLength(actual: 31), .weakSlotKey, .blankSlotSecretKey, .sealedBoxOpenFailed] {
            #expect(error.description.contains("fleet "))
        }
    }
}
