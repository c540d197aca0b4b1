/// The `X-Vault-Signature` header of sealed headers (Docs/proxy.md):
/// `v1; kid=…; ts=…; exp=…; nonce=…; sig=…`, Ed25519 over `canonicalString`.
public struct SealedSignature: Hashable, Sendable {
    public static let headerName = "X-Vault-Signature"
    public static let defaultLifetime: Int64 = 60
    public static let maxLifetime: Int64 = 300

    public var kid: String
    public var ts: Int64
    public var exp: Int64
    /// 16 random bytes.
    public var nonce: [UInt8]
    /// 64-byte Ed25519 signature.
    public var sig: [UInt8]

    public init(kid: String, ts: Int64, exp: Int64, nonce: [UInt8], sig: [UInt8]) {
        self.kid = kid
        self.ts = ts
        self.exp = exp
        self.nonce = nonce
        self.sig = sig
    }

    /// The signed text: `vobiz-vault-v1\n{METHOD}\n{canonical URL}\n{body sha256 hex or -}\n{auth_id}\n{ts}\n{exp}\n{nonce}`.
    public static func canonicalString(method: String, canonicalURL: String, bodySHA256: String?, authID: AuthID,
                                       ts: Int64, exp: Int64, nonce: [UInt8]) -> String {
        [
            "vobiz-vault-v1", method, canonicalURL, bodySHA256 ?? "-", authID.rawValue, String(ts), String(exp),
            Base64.encode(nonce, urlSafe: true),
        ].joined(separator: "\n")
    }

    /// The header value.
    public var headerValue: String {
        "v1; kid=\(kid); ts=\(ts); exp=\(exp); nonce=\(Base64.encode(nonce, urlSafe: true)); sig=\(Base64.encode(sig, urlSafe: true))"
    }

    /// Parses a header value strictly: version first, each field exactly once, nothing else.
    public init(parsing value: String) throws(SignatureError) {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard parts.first == "v1" else { throw .malformed("expected version v1 first") }
        var fields: [String: String] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { throw .malformed("field without '='") }
            let k = String(p[..<eq]), v = String(p[p.index(after: eq)...])
            guard ["kid", "ts", "exp", "nonce", "sig"].contains(k) else { throw .malformed("unknown field \(Echo.short(k))") }
            guard fields.updateValue(v, forKey: k) == nil else { throw .malformed("field \(k) repeated") }
        }
        guard let kid = fields["kid"], !kid.isEmpty, kid.utf8.count <= 64,
              kid.utf8.allSatisfy({ AuthID.isIDByte($0) }) else { throw .malformed("bad kid") }
        // Unix seconds as the vault writes them: digits only (no sign, no leading zero), so each
        // value has exactly one spelling.
        guard let ts = fields["ts"].flatMap({ StrictInteger.decimal($0, maxDigits: 12) }), ts > 0 else {
            throw .malformed("bad ts: expected Unix seconds, digits only")
        }
        guard let exp = fields["exp"].flatMap({ StrictInteger.decimal($0, maxDigits: 12) }), exp > ts else {
            throw .malformed("bad exp: expected Unix seconds after ts, digits only")
        }
        guard let n = fields["nonce"], let nonce = Base64.decode(n, urlSafe: true), nonce.count == 16 else { throw .malformed("bad nonce") }
        guard let s = fields["sig"], let sig = Base64.decode(s, urlSafe: true), sig.count == 64 else { throw .malformed("bad sig") }
        self.init(kid: kid, ts: ts, exp: exp, nonce: nonce, sig: sig)
    }

    /// Clock skew tolerated between the vault and a signer that stamped `ts` (seconds).
    public static let allowedSkew: Int64 = 5

    /// The time rules of an accepted signature: not expired, not from the future (beyond the
    /// allowed skew), and no longer-lived than the maximum. The signature itself is checked
    /// by the caller, which holds the keys.
    public func checkTimes(now: Int64) throws(SignatureError) {
        guard exp - ts <= Self.maxLifetime else { throw .lifetimeTooLong }
        guard ts <= now + Self.allowedSkew else { throw .notYetValid }
        guard now <= exp else { throw .expired }
    }

    /// A key id for a public key: base64url of its first 9 bytes (12 characters).
    public static func kid(for publicKey: [UInt8]) -> String {
        Base64.encode(Array(publicKey.prefix(9)), urlSafe: true)
    }
}

/// A sealed signature that cannot be accepted.
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case expired
    case notYetValid
    case lifetimeTooLong
    case unknownKey
    case badSignature
    case replayed

    public var problemType: String { self == .replayed ? "replayed" : "signature_invalid" }

    public var description: String {
        switch self {
        case .malformed(let why): "X-Vault-Signature is malformed: \(why)"
        case .expired: "the signature has expired"
        case .notYetValid: "the signature is not valid yet (clock skew?)"
        case .lifetimeTooLong: "the signature's lifetime exceeds 300 s"
        case .unknownKey: "the signature names an unknown key"
        case .badSignature: "the signature does not match this method, URL and body"
        case .replayed: "this signature was already used"
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
