/// The answer of a create-account call as the caller sees it after capture (DESIGN §8): the
/// new customer's token replaced by `"vaulted:<fingerprint>"`, every other byte as Vobiz sent it.
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
}
