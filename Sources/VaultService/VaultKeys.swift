import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// The purpose keys of an unlocked vault, derived from its data key. Holding a `VaultKeys`
/// is what "unlocked" means; it lives only in locked memory.
final class VaultKeys: Sendable {
    let dataKey: SecureBytes
    let secrets: SecureBytes
    let audit: AuditKey
    let fingerprint: SecureBytes

    init(dataKey: SecureBytes) throws(CryptoError) {
        self.dataKey = dataKey
        secrets = try KeyDerivation.derive(from: dataKey, purpose: .secrets)
        audit = AuditKey(hmac: try HMACSHA256.Keyed(key: try KeyDerivation.derive(from: dataKey, purpose: .auditMAC)))
        fingerprint = try KeyDerivation.derive(from: dataKey, purpose: .fingerprint)
    }

    /// A public commitment to the data key (a MAC of a fixed text under its audit key): shown
    /// as the data key's fingerprint, and what a fleet's key hand-overs are checked against.
    /// It tells nothing of the key.
    var check: Data { audit.mac(Array("vobiz-vault data key check v1".utf8)) }

    var checkFingerprint: String { SlotFingerprint.render(check) }

    /// What `rekey --data-key` writes beside the new key sealed to a member: a MAC under these
    /// (the old) keys over the new key's check, bound to the vault, the host and the new key's id.
    func handOverProof(to fresh: VaultKeys, vaultID: String, host: String, dekID: String) -> Data {
        audit.mac(Array("vobiz-vault rekey v1|\(vaultID)|\(host)|\(dekID)|\(Hex.encode(fresh.check))".utf8))
    }

    /// A member's vouching for a key slot: its host and public key, under these keys.
    func memberMAC(vaultID: String, host: String, publicKey: Data, dekID: String) -> Data {
        audit.mac(Array("vobiz-vault member v1|\(vaultID)|\(host)|\(Hex.encode(publicKey))|\(dekID)".utf8))
    }

    func vouches(for slot: KeySlotRecord, vaultID: String, dekID: String) -> Bool {
        guard let mac = slot.memberMAC else { return false }
        return audit.equal(memberMAC(vaultID: vaultID, host: slot.host, publicKey: slot.publicKey, dekID: dekID), mac)
    }

    func seal(_ secret: SecureBytes, _ binding: SecretBinding) throws(ServiceError) -> Data {
        try secret.withUnsafeBytes { (b) throws(ServiceError) in try seal(bytes: b, binding) }
    }

    func seal(bytes secret: UnsafeRawBufferPointer, _ binding: SecretBinding) throws(ServiceError) -> Data {
        do { return try AEAD.seal(bytes: secret, key: secrets, associatedData: binding.associatedData) } catch {
            throw .crypto(error.description)
        }
    }

    /// Opens a sealed secret; a failure names the row (`what`) so tampering is never silent.
    func open(_ sealed: Data, _ binding: SecretBinding, what: @autoclosure () -> String) throws(ServiceError) -> SecureBytes {
        do { return try AEAD.open(sealed, key: secrets, associatedData: binding.associatedData) } catch {
            throw .tampered(what())
        }
    }

    func fingerprintOf(_ token: SecureBytes) throws(ServiceError) -> String {
        try token.withUnsafeBytes { (b) throws(ServiceError) in try fingerprintOf(bytes: b) }
    }

    func fingerprintOf(bytes token: UnsafeRawBufferPointer) throws(ServiceError) -> String {
        do { return Fingerprint.render(try KeyedHash.blake2b(bytes: token, key: fingerprint)) } catch {
            throw .crypto(error.description)
        }
    }
}

/// The audit chain's MAC: HMAC-SHA256 under the audit purpose key.
struct AuditKey: AuditChain.AuditMAC, Sendable {
    let hmac: HMACSHA256.Keyed

    func mac(_ message: [UInt8]) -> Data { hmac.mac(message) }

    func equal(_ a: Data, _ b: Data) -> Bool { ConstantTime.equals(a, b) }
}
