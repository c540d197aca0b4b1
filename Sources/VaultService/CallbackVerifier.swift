import Foundation
import VaultCore
import VaultCrypto

/// Whether a callback was signed by a token the vault holds (Docs/callbacks.md): the headers
/// Vobiz sends, V3 when its header is present (it covers the query and the parameters), V2
/// otherwise; the plain header for the credential's own token, the `-MA-` header for its
/// parent's. An accepted nonce is refused again for `nonceSeconds`, per signing account, so
/// one account's nonces never refuse another's.
struct CallbackVerifier {
    static let nonceSeconds: Int64 = 600

    struct Nonce: Hashable, Sendable {
        let owner: String
        let nonce: String
    }

    private var nonces = ReplayCache<Nonce>()

    /// A token that may have signed: its version, and the token opened.
    typealias Candidate = (version: Int64, token: SecureBytes)

    /// `tokens(owner)`: the owner's tokens that may have signed (active first, then those in
    /// their grace), or none for an owner the vault does not hold.
    /// `spend(owner, nonce, until)`: whether the fleet has not seen the nonce yet (a single
    /// host answers true: its own cache decides).
    mutating func verdict(_ request: CallbackRequest, url: PythonURL, account: AuthID, parent: String?, now: Int64,
                          tokens: (String) throws(Refusal) -> [Candidate],
                          spend: (String, String, Int64) throws(Refusal) -> Bool = { _, _, _ in true }) throws(Refusal) -> CallbackVerdict {
        let h = request.headers
        let scheme: CallbackSignature.Scheme
        switch (h["x-vobiz-signature-v3"] ?? h["x-vobiz-signature-ma-v3"], h["x-vobiz-signature-v2"] ?? h["x-vobiz-signature-ma-v2"]) {
        case (.some, _): scheme = .v3
        case (nil, .some): scheme = .v2
        case (nil, nil): return CallbackVerdict(valid: false, scheme: nil, reason: "no X-Vobiz-Signature-V3 or -V2 header")
        }
        let v = scheme.rawValue
        var offers: [(signedBy: String, header: String, nonce: String, owner: String)] = []
        if let s = h["x-vobiz-signature-\(v)"], let n = h["x-vobiz-signature-\(v)-nonce"] { offers.append(("account", s, n, account.rawValue)) }
        if let s = h["x-vobiz-signature-ma-\(v)"], let n = h["x-vobiz-signature-ma-\(v)-nonce"] ?? h["x-vobiz-signature-\(v)-nonce"],
           let parent { offers.append(("parent", s, n, parent)) }
        guard !offers.isEmpty else {
            return CallbackVerdict(valid: false, scheme: scheme,
                                   reason: "a signature header without its nonce header (or an -MA- header for an account without a parent)")
        }
        for o in offers {
            let message = scheme == .v3
                ? CallbackSignature.v3Message(method: request.method, url: url, params: request.params, nonce: o.nonce)
                : CallbackSignature.v2Message(url: url, nonce: o.nonce)
            let offered = scheme == .v3 ? o.header.split(separator: ",", omittingEmptySubsequences: false).map { Data($0.utf8) } : [Data(o.header.utf8)]
            for c in try tokens(o.owner) where try Self.matches(offered, c.token, message) {
                switch nonces.admit(Nonce(owner: o.owner, nonce: o.nonce), until: now + Self.nonceSeconds, now: now) {
                case .fresh:
                    let spent: Bool
                    do { spent = try spend(o.owner, o.nonce, now + Self.nonceSeconds) } catch {
                        nonces.forget(Nonce(owner: o.owner, nonce: o.nonce))
                        throw error
                    }
                    guard spent else {
                        throw Refusal(.replayed, "this callback's nonce was accepted by another host in the last \(Self.nonceSeconds / 60) minutes")
                    }
                    return CallbackVerdict(valid: true, scheme: scheme, signedBy: o.signedBy, tokenVersion: c.version)
                case .replayed: throw Refusal(.replayed, "this callback's nonce was accepted in the last \(Self.nonceSeconds / 60) minutes")
                case .full: throw Refusal(.rateLimited, "too many callback nonces in the last ten minutes; retry shortly")
                }
            }
        }
        return CallbackVerdict(valid: false, scheme: scheme, reason: "the signature matches neither the active token nor one within its grace")
    }

    /// Every offered signature is compared, in constant time, whatever the earlier ones gave.
    private static func matches(_ offered: [Data], _ token: SecureBytes, _ message: [UInt8]) throws(Refusal) -> Bool {
        guard let mac = try? HMACSHA256.mac(key: token, message: message) else { throw Refusal(.internal, "HMAC failed") }
        let expected = Data(Base64.encode(Array(mac)).utf8)
        var match = false
        for o in offered { match = ConstantTime.equals(o, expected) || match }
        return match
    }
}
