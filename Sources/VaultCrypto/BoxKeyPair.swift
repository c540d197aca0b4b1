import CSodium

/// An X25519 key pair for key slots: a joining host publishes the public half in a pending slot,
/// a member seals the data key to it (`SealedBox`), and only this secret half opens it.
public final class BoxKeyPair: Sendable {
    public static let publicKeyLength = 32
    public static let secretKeyLength = 32

    /// Safe to publish: the pending slot holds it, and operators compare its fingerprint.
    public let publicKey: [UInt8]
    /// Exposed so the joining host can keep it, sealed under its master key, until it is admitted.
    public let secretKey: SecureBytes

    /// A fresh key pair from the system CSPRNG.
    public init() throws(CryptoError) {
        try Sodium.ready()
        let sk = try SecureBytes(count: Self.secretKeyLength)
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        sk.withUnsafeMutableBytes { s in _ = crypto_box_keypair(&pk, s.u8) }
        secretKey = sk
        publicKey = pk
    }

    /// The key pair again from a kept secret key, so a host that restarts between join and
    /// admission still opens the box sealed to the public key it published.
    public init(secretKey: SecureBytes) throws(CryptoError) {
        try Sodium.ready()
        guard secretKey.count == Self.secretKeyLength else {
            throw .invalidKeyLength(expected: Self.secretKeyLength, actual: secretKey.count)
        }
        // Clamping makes any 32 bytes a valid scalar, so all zeros can only mean the kept key
        // was lost or never written; refusing here beats a vaguer failure to open the box later.
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        let status: Int32 = secretKey.withUnsafeBytes { s in
            sodium_is_zero(s.u8, s.count) == 1 ? -1 : crypto_scalarmult_base(&pk, s.u8)
        }
        guard status == 0 else { throw .blankSlotSecretKey }
        self.secretKey = secretKey
        publicKey = pk
    }

    /// The label in front of the public key, so this digest is never equal to one the vault
    /// makes of the same 32 bytes for another purpose.
    static let fingerprintLabel = Array("vobiz-vault key slot v1".utf8)

    /// SHA-256 of the label and `publicKey` (32 bytes; VaultCore's `SlotFingerprint` shows a
    /// prefix). SHA-256 so an operator can recompute it with everyday tools.
    public static func fingerprint(of publicKey: [UInt8]) -> [UInt8] {
        SHA256.hash(fingerprintLabel + publicKey)
    }

    public var fingerprint: [UInt8] { Self.fingerprint(of: publicKey) }
}
