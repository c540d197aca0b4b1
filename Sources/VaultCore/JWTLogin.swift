/// The answer of `POST /api/v1/partner/login` (Docs/api.md `POST /v1/jwt`), parsed from raw bytes so the access
/// token is never a `String`: `{"tokens":{"access_token","token_type","expires_in"}}`, or
/// `{"error":"invalid_credentials","message":"…"}`.
public enum JWTLogin {
    public enum Answer: Sendable {
        case token(accessToken: SecretScratch, expiresIn: Int64, expClaim: Int64?)
        /// The email and password were refused.
        case invalidCredentials(message: String)
        /// Anything else: the status and what Vobiz said, for an operator.
        case failed(status: Int, error: String)
    }

    /// The body of the login call.
    public static func body(email: UnsafeRawBufferPointer, password: UnsafeRawBufferPointer) -> [UInt8] {
        var out = Array(#"{"email":"#.utf8)
        JSONEscape.append(email, to: &out)
        out += Array(#","password":"#.utf8)
        JSONEscape.append(password, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    public static func parse(status: Int, body: UnsafeRawBufferPointer) -> Answer {
        let doc = try? JSONParser.parse(body)
        if case .string(let e)? = doc?["error"] {
            let message: String
            if case .string(let m)? = doc?["message"] { message = Echo.short(m.plainText, limit: 200) } else { message = "" }
            if e.plainText == "invalid_credentials" { return .invalidCredentials(message: message) }
            return .failed(status: status, error: Echo.short(e.plainText + (message.isEmpty ? "" : ": " + message), limit: 240))
        }
        guard (200..<300).contains(status), case .object? = doc?["tokens"], let tokens = doc?["tokens"],
              case .string(let token)? = tokens["access_token"], token.count > 0 else {
            return .failed(status: status, error: "unexpected answer from the login endpoint")
        }
        var expiresIn: Int64 = 0
        if case .number(let n)? = tokens["expires_in"], let v = Int64(n) { expiresIn = v }
        guard expiresIn > 0 else { return .failed(status: status, error: "the login answer has no positive expires_in") }
        return .token(accessToken: token, expiresIn: expiresIn, expClaim: token.withUnsafeBytes { expClaim(ofJWT: $0) })
    }

    /// The `exp` claim of a JWT (`header.payload.signature`, base64url), read without checking the
    /// signature: the vault is not the audience, it only needs to know when the token dies.
    public static func expClaim(ofJWT jwt: UnsafeRawBufferPointer) -> Int64? {
        let parts = jwt.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let payload = Array(parts[1])
        var decoded = [UInt8](repeating: 0, count: payload.count)
        let n = payload.withUnsafeBytes { p in decoded.withUnsafeMutableBytes { Base64.decode(p, into: $0, urlSafe: true) } }
        guard let n, let claims = try? decoded.prefix(n).withUnsafeBytes({ try JSONParser.parse($0) }),
              case .number(let exp)? = claims["exp"] else { return nil }
        return Int64(exp) ?? Double(exp).map { Int64($0) }
    }
}

/// JSON string escaping over raw bytes (for bodies that carry a secret).
public enum JSONEscape {
    public static func append(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
