import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Loads the active signing key, creating one on first use (seed sealed like a token).
    public func prepareSigning(actor: ActorIdentity) throws(ServiceError) {
        let keys = try requireKeys()
        let now = self.now
        signatures.use(try write { tx in
            if let k = try tx.activeSigningKey() {
                let seed = try keys.open(k.sealedSeed, .signingSeed(kid: k.kid), what: "signing_keys row \(k.kid)")
                return SigningKey(kid: k.kid, signer: try Ed25519Signer(seed: seed))
            }
            let seed = try SecureBytes.random(count: Ed25519Signer.seedLength)
            let signer = try Ed25519Signer(seed: seed)
            let kid = SealedSignature.kid(for: Array(signer.publicKey))
            var record = SigningKeyRecord(kid: kid, publicKey: signer.publicKey,
                                          sealedSeed: try keys.seal(seed, .signingSeed(kid: kid)), createdAt: now)
            try tx.insert(&record)
            try audit(tx, op: "signing-key", actor: actor, detail: ["kid": kid])
            return SigningKey(kid: kid, signer: signer)
        })
    }

    /// The public keys that sign (or signed) sealed headers: `(kid, 32-byte key)`.
    public func publicKeys() throws(ServiceError) -> [(kid: String, publicKey: [UInt8])] {
        try read { tx in try tx.signingKeys().map { ($0.kid, Array($0.publicKey)) } }
    }
}
