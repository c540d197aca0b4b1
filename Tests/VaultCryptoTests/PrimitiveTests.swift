import Foundation
import Testing
@testable import VaultCrypto

func hex(_ d: Data) -> String { d.map { String(format: "%02x", $0) }.joined() }
func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        out.append(UInt8(hex[i..<j], radix: 16)!)
        i = j
    }
    return out
}
func secure(_ b: [UInt8]) throws -> SecureBytes { try b.withUnsafeBytes { try SecureBytes(copying: $0) } }

@Suite struct PrimitiveTests {
    @Test func hmacMatchesRFC4231Case2() throws {
        let mac = try HMACSHA256.mac(key: secure(Array("Jefe".utf8)), message: Array("what do ya want for nothing?".utf8))
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func keyedHMACMatchesTheOneShot() throws {
        let key = try SecureBytes.random(count: 32)
        let keyed = try HMACSHA256.Keyed(key: key)
        for message in [[], Array("audit row".utf8), [UInt8](repeating: 7, count: 1000)] {
            #expect(keyed.mac(message) == (try HMACSHA256.mac(key: key, message: message)))
        }
        #expect(try HMACSHA256.Keyed(key: secure(Array("Jefe".utf8))).mac(Array("what do ya want for nothing?".utf8))
                == (try HMACSHA256.mac(key: secure(Array("Jefe".utf8)), message: Array("what do ya want for nothing?".utf8))))
    }

    @Test func hmacAcceptsLongKeys() throws {
        // RFC 4231 case 6: a 131-byte key is hashed first.
        let mac = try HMACSHA256.mac(key: secure([UInt8](repeating: 0xaa, count: 131)),
                                     message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(hex(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func ed25519MatchesRFC8032Test1() throws {
        let signer = try Ed25519Signer(seed: secure(bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        #expect(hex(signer.publicKey) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let sig = signer.sign([])
        #expect(hex(sig) == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(Ed25519Signer.verify(signature: sig, message: [], publicKey: signer.publicKey))
    }

    @Test func ed25519RejectsTamperedMessageOrSignature() throws {
        let signer = try Ed25519Signer(seed: SecureBytes.random(count: 32))
        let msg = Array("vobiz-vault-v1\nGET\nhttps://api.vobiz.ai/x".utf8)
        var sig = signer.sign(msg)
        #expect(Ed25519Signer.verify(signature: sig, message: msg, publicKey: signer.publicKey))
        #expect(!Ed25519Signer.verify(signature: sig, message: msg + [0x20], publicKey: signer.publicKey))
        sig[0] ^= 1
        #expect(!Ed25519Signer.verify(signature: sig, message: msg, publicKey: signer.publicKey))
        #expect(!Ed25519Signer.verify(signature: Data(count: 12), message: msg, publicKey: signer.publicKey))
    }

    @Test func purposeKeysAreDistinctAndStable() throws {
        let dek = try SecureBytes.random(count: 32)
        let keys = try KeyPurpose.allCases.map { try KeyDerivation.derive(from: dek, purpose: $0) }
        for i in keys.indices { for j in keys.indices where i != j { #expect(!keys[i].constantTimeEquals(keys[j])) } }
        #expect(try KeyDerivation.derive(from: dek, purpose: .secrets).constantTimeEquals(keys[0]))
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 31)) {
            try KeyDerivation.derive(from: try SecureBytes(count: 31), purpose: .secrets)
        }
    }

    @Test func argon2idIsDeterministicPerSaltAndParameters() throws {
        let pass = try secure(Array("correct horse battery".utf8))
        let p = try PassphraseKDFParameters.fresh(opsLimit: 1, memLimit: 8 << 20)
        let a = try PassphraseKDF.deriveKey(passphrase: pass, parameters: p)
        let b = try PassphraseKDF.deriveKey(passphrase: pass, parameters: p)
        #expect(a.constantTimeEquals(b))
        let other = try PassphraseKDF.deriveKey(passphrase: pass, parameters: try .fresh(opsLimit: 1, memLimit: 8 << 20))
        #expect(!a.constantTimeEquals(other))
        let wrong = try PassphraseKDF.deriveKey(passphrase: secure(Array("correct horse battery!".utf8)), parameters: p)
        #expect(!a.constantTimeEquals(wrong))
        #expect(throws: CryptoError.self) {
            try PassphraseKDF.deriveKey(passphrase: pass, parameters: .init(salt: Data(count: 3), opsLimit: 1, memLimit: 8 << 20))
        }
    }

    @Test func keyedBlake2bDependsOnKey() throws {
        let token = try secure(Array("canary".utf8))
        let k1 = try SecureBytes.random(count: 32), k2 = try SecureBytes.random(count: 32)
        #expect(try KeyedHash.blake2b(token, key: k1) == KeyedHash.blake2b(token, key: k1))
        #expect(try KeyedHash.blake2b(token, key: k1) != KeyedHash.blake2b(token, key: k2))
        #expect(try KeyedHash.blake2b(token, key: k1).count == 32)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 3])))
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 4])))
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2])))
        #expect(ConstantTime.equals(Data(), Data()))
    }

    @Test func secureBytesNeverPrintTheirContents() throws {
        let s = try secure(Array("canary-secret-bytes".utf8))
        var dumped = ""
        dump(s, to: &dumped)
        for rendering in [s.description, s.debugDescription, "\(s)", String(describing: s), String(reflecting: s), dumped] {
            #expect(!rendering.contains("canary"))
        }
        #expect(s.description == "<redacted>")
        #expect(try s.prefix(6).withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == "canary")
    }

    @Test func randomValuesDiffer() throws {
        #expect(Random.data(count: 16) != Random.data(count: 16))
        #expect(try !SecureBytes.random(count: 32).constantTimeEquals(SecureBytes.random(count: 32)))
    }
}
