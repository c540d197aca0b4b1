/// The answer of a create-account call as the caller sees it after capture (Docs/proxy.md): the
/// new customer's token replaced by `"vaulted:<fingerprint>"`, every other byte as Vobiz sent it
/// where that can be done safely, and never a copy of the token once the vault holds it.
public enum CaptureRewrite {
    /// The path whose answer carries a one-time customer token.
    public static let createAccountPath = "/api/v1/partner/accounts"

    /// Whether a proxied request is a create-account call whose answer must be captured.
    public static func applies(method: String, path: String) -> Bool {
        method == "POST" && (path == createAccountPath || path == createAccountPath + "/")
    }

    public static func placeholder(fingerprint: String) -> String { "vaulted:" + fingerprint }

    /// `body` with the value of its top-level `auth_token` member replaced; nil when the body is
    /// not a JSON object with a string `auth_token` (then there is nothing to capture).
    public static func replacingToken(in body: [UInt8], fingerprint: String) -> [UInt8]? {
        let parsed = try? body.withUnsafeBytes { b in try JSONParser.parse(b, spanOf: "auth_token") }
        guard let parsed, let span = parsed.span, case .string(let token)? = parsed.value["auth_token"] else { return nil }
        token.wipe()
        var out = Array(body[..<span.lowerBound])
        out.append(contentsOf: "\"\(placeholder(fingerprint: fingerprint))\"".utf8)
        out.append(contentsOf: body[span.upperBound...])
        return out
    }

    /// A stored capture's answer for a caller without `reveal`.
    public struct Withheld: Sendable {
        public var body: [UInt8]
        public var headers: [(name: String, value: String)]
        /// The upstream's body could not be rewritten without leaving the token in it, so the
        /// vault wrote its own: `{"auth_id":…,"auth_token":"vaulted:…"}`.
        public var bodyReplaced: Bool
        /// Names of the upstream's headers that carried the token and were dropped.
        public var droppedHeaders: [String]

        public init(body: [UInt8], headers: [(name: String, value: String)], bodyReplaced: Bool = false, droppedHeaders: [String] = []) {
            self.body = body
            self.headers = headers
            self.bodyReplaced = bodyReplaced
            self.droppedHeaders = droppedHeaders
        }
    }

    /// The answer without `token`, which the vault has stored: the top-level `auth_token`
    /// replaced, then every other literal copy of it; if a copy could still be left (another
    /// JSON spelling of it, a body that is not JSON) the body is replaced whole. Headers
    /// carrying the token, literally or percent-encoded, are dropped.
    public static func withholding(_ token: SecretScratch, authID: AuthID, fingerprint: String,
                                   body: [UInt8], headers: [(name: String, value: String)]) -> Withheld {
        token.withUnsafeBytes { t in
            let mark = Array(placeholder(fingerprint: fingerprint).utf8)
            var out = replacingToken(in: body, fingerprint: fingerprint).map { TokenSearch.replacing(t, with: mark, in: $0) }
            if let rewritten = out, TokenSearch.mayHold(t, rewritten) { out = nil }
            let encoded = TokenSearch.percentEncoded(t)
            var kept: [(name: String, value: String)] = [], dropped: [String] = []
            for h in headers {
                let text = Array(h.name.utf8) + [0x3A] + Array(h.value.utf8)
                if TokenSearch.contains(t, text) || encoded.map({ e in e.withUnsafeBytes { TokenSearch.contains($0, text) } }) == true {
                    dropped.append(h.name)
                } else {
                    kept.append(h)
                }
            }
            let own = #"{"auth_id":"\#(authID.rawValue)","auth_token":"\#(placeholder(fingerprint: fingerprint))"}"#
            return Withheld(body: out ?? Array(own.utf8), headers: kept, bodyReplaced: out == nil, droppedHeaders: dropped)
        }
    }
}
