import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// Sealed headers' signatures: the key that makes them, and the check of one presented to the
/// proxy, whose nonce is then spent. The keys to check with come from `keys` (the store),
/// read again at most once a second for a kid not seen yet, so a stream of made-up kids cannot
/// turn into a stream of reads.
struct SealedSignatures {
    private(set) var signer: SigningKey?
    private var nonces = ReplayCache<[UInt8]>()
    private var verifyKeys: [String: Data] = [:]
    private var verifyKeysReadAt: Int64 = 0

    mutating func use(_ key: SigningKey) {
        signer = key
        verifyKeys[key.kid] = key.signer.publicKey
    }

    /// `X-Vault-Signature` for one request, valid from `now` for `lifetime` seconds.
    func sign(method: String, url: ScopedURL, bodySHA256: String?, authID: AuthID, now: Int64,
              lifetime: Int64) throws(Refusal) -> (header: String, expiresAt: Int64) {
        guard let signer else { throw Refusal(.internal, "no signing key loaded") }
        let exp = now + lifetime
        let nonce = Array(Random.data(count: 16))
        let text = SealedSignature.canonicalString(method: method, canonicalURL: url.canonical, bodySHA256: bodySHA256,
                                                   authID: authID, ts: now, exp: exp, nonce: nonce)
        let sig = signer.signer.sign(Array(text.utf8))
        return (SealedSignature(kid: signer.kid, ts: now, exp: exp, nonce: nonce, sig: Array(sig)).headerValue, exp)
    }

    /// Checks `header` against this request, then spends its nonce. A request without a body
    /// may be signed over `-` or over the SHA-256 of nothing.
    /// `spend(nonce, until)`: whether the fleet has not seen the nonce yet (true on a single host).
    mutating func verify(_ header: String, method: String, url: ScopedURL, bodySHA256: String, authID: AuthID, now: Int64,
                         keys: () throws -> [SigningKeyRecord], spend: ([UInt8], Int64) throws(Refusal) -> Bool = { _, _ in true }) throws(Refusal) {
        do {
            let sig = try SealedSignature(parsing: header)
            try sig.checkTimes(now: now)
            guard let key = try verifyKey(sig.kid, now: now, keys: keys) else { throw SignatureError.unknownKey }
            let bodies: [String?] = bodySHA256 == ProxyRules.emptyBodySHA256 ? [nil, bodySHA256] : [bodySHA256]
            let matches = bodies.contains { body in
                let text = SealedSignature.canonicalString(method: method, canonicalURL: url.canonical, bodySHA256: body,
                                                           authID: authID, ts: sig.ts, exp: sig.exp, nonce: sig.nonce)
                return Ed25519Signer.verify(signature: Data(sig.sig), message: Array(text.utf8), publicKey: key)
            }
            guard matches else { throw SignatureError.badSignature }
            switch nonces.admit(sig.nonce, until: sig.exp, now: now) {
            case .fresh:
                let spent: Bool
                do { spent = try spend(sig.nonce, sig.exp) } catch {
                    nonces.forget(sig.nonce)
                    throw error
                }
                if !spent { throw SignatureError.replayed }
            case .replayed: throw SignatureError.replayed
            case .full: throw Refusal(.rateLimited, "too many unexpired sealed signatures in use; retry shortly")
            }
        } catch let e as SignatureError {
            throw Refusal(e == .replayed ? .replayed : .signatureInvalid, e.description)
        } catch let r as Refusal {
            throw r
        } catch {
            throw Refusal(.internal, "cannot read signing keys")
        }
    }

    private mutating func verifyKey(_ kid: String, now: Int64, keys: () throws -> [SigningKeyRecord]) throws -> Data? {
        if let k = verifyKeys[kid] { return k }
        guard now > verifyKeysReadAt else { return nil }
        verifyKeysReadAt = now
        for k in try keys() { verifyKeys[k.kid] = k.publicKey }
        return verifyKeys[kid]
    }
}
