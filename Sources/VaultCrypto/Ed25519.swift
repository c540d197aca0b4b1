import CSodium
import Foundation

/// An Ed25519 signing key held in locked memory. Built from a 32-byte seed so the seed alone
/// (sealed in the store) reproduces the key.
public final class Ed25519Signer: Sendable {
    public static let seedLength = 32
    public static let publicKeyLength = 32
    public static let signatureLength = 64

    /// The public half, safe to publish.
    public let publicKey: Data
    private let secretKey: SecureBytes

    public init(seed: SecureBytes) throws(CryptoError) {
        try Sodium.ready()
        guard seed.count == Self.seedLength else {
            throw .invalidKeyLength(expected: Self.seedLength, actual: seed.count)
        }
        let sk = try SecureBytes(count: Int(crypto_sign_secretkeybytes()))
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        sk.withUnsafeMutableBytes { s in
            seed.withUnsafeBytes { sd in
                _ = crypto_sign_seed_keypair(&pk, s.u8,
                                             sd.u8)
            }
        }
        secretKey = sk
        publicKey = Data(pk)
    }

    /// A detached 64-byte signature over `message`.
    public func sign(_ message: [UInt8]) -> Data {
        var sig = [UInt8](repeating: 0, count: Self.signatureLength)
        secretKey.withUnsafeBytes { s in
            _ = crypto_sign_detached(&sig, nil, message, UInt64(message.count),
                                     s.u8)
        }
        return Data(sig)
    }

    /// Verifies a detached signature against a public key.
    public static func verify(signature: Data, message: [UInt8], publicKey: Data) -> Bool {
        guard (try? Sodium.ready()) != nil,
              signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        return signature.withUnsafeBytes { s in
            publicKey.withUnsafeBytes { p in
                crypto_sign_verify_detached(s.u8, message, UInt64(message.count),
                                            p.u8) == 0
            }
        }
    }
}
