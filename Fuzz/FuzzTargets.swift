// libFuzzer entry point for VaultCore's parsers, compiled into one module with VaultCore's sources
// by scripts/fuzz.sh (`swiftc -sanitize=fuzzer,address`). FUZZ_TARGET picks the target. Besides
// crashes and sanitizer reports, each target checks invariants and traps when one breaks.
import Foundation

private let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "url"
private let upstream = try! Upstream(baseURL: "https://api.vobiz.ai")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch target {
    case "url": fuzzURL(bytes)
    case "json": fuzzJSON(bytes)
    case "sealed": fuzzSealed(bytes)
    case "callback": fuzzCallback(bytes)
    default: fatalError("unknown FUZZ_TARGET \(target)")
    }
    return 0
}

private func check(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok { fatalError("invariant broken: \(what())") }
}

/// Whatever the URL parser accepts re-serialises to itself and stays inside the scope it implies.
private func fuzzURL(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let url = try? ScopedURL(text, upstream: upstream) else { return }
    check(url.canonical.hasPrefix(upstream.origin + "/"), "canonical outside the origin: \(url.canonical)")
    guard let again = try? ScopedURL(url.canonical, upstream: upstream) else { return check(false, "canonical form refused: \(url.canonical)") }
    check(again.canonical == url.canonical && again.path == url.path && again.query == url.query, "not a fixed point: \(url.canonical)")
    check(again.implied == url.implied, "scope changed on re-parse: \(url.canonical)")
    check(!url.path.contains("/../") && !url.path.contains("/./") && !url.path.contains("//") && !url.path.hasSuffix("/.."),
          "dot segments accepted: \(url.path)")
    switch url.implied {
    case .partner:
        check(url.path == "/api/v1/partner" || url.path.hasPrefix("/api/v1/partner/"), "partner scope for \(url.path)")
    case .customer(let id):
        check(url.path.hasPrefix("/api/v1/Account/\(id.rawValue)") || url.path.hasPrefix("/api/v1/account/\(id.rawValue)"),
              "customer \(id) for \(url.path)")
    case .none:
        // Only the bare account collection (no id) lies outside both trees.
        let bare = url.path == "/api/v1/Account/" || url.path == "/api/v1/account/"
        check(!url.path.hasPrefix("/api/v1/partner/") && url.path != "/api/v1/partner"
              && (bare || (!url.path.hasPrefix("/api/v1/Account/") && !url.path.hasPrefix("/api/v1/account/"))),
              "no scope for a scoped path: \(url.path)")
    }
    _ = ProxyRules.upstreamTarget(uri: ProxyRules.prefix + url.path)
}

/// The JSON request decoders never crash; what they accept is what they say.
private func fuzzJSON(_ bytes: UnsafeRawBufferPointer) {
    if let r = try? HeadersRequest(json: bytes) {
        check(HeadersRequest.methods.contains(r.method), "method \(r.method)")
        if let b = r.bodySHA256 { check(b.utf8.count == 64, "body_sha256 \(b)") }
    }
    _ = try? JWTRequest.credential(json: bytes)
    _ = try? CallbackRequest(json: bytes)
    _ = try? ImportParser.parse(bytes, format: nil)
    if let parsed = try? JSONParser.parse(bytes, spanOf: "auth_token"), let span = parsed.span {
        check(span.lowerBound >= 0 && span.upperBound <= bytes.count && span.lowerBound < span.upperBound, "span \(span)")
        if case .string? = parsed.value["auth_token"] {
            check(bytes[span.lowerBound] == UInt8(ascii: "\"") && bytes[span.upperBound - 1] == UInt8(ascii: "\""), "span not a string")
            check(CaptureRewrite.replacingToken(in: Array(bytes), fingerprint: "f") != nil, "rewrite refused a string token")
        }
    }
}

/// What the sealed-signature parser accepts prints back to a value it parses identically.
private func fuzzSealed(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let sig = try? SealedSignature(parsing: text) else { return }
    check(sig.nonce.count == 16 && sig.sig.count == 64 && sig.exp > sig.ts, "fields out of range")
    guard let again = try? SealedSignature(parsing: sig.headerValue) else { return check(false, "own header refused: \(sig.headerValue)") }
    check(again == sig, "not a fixed point: \(sig.headerValue)")
    _ = try? sig.checkTimes(now: Int64(bytes.count) * 1000)
}

/// Callback inputs: the decoder, the URL split and the signed strings never crash, and the
/// strings are deterministic.
private func fuzzCallback(_ bytes: UnsafeRawBufferPointer) {
    if let r = try? CallbackRequest(json: bytes) {
        let a = CallbackSignature.v3Message(method: r.method, url: r.url, params: r.params, nonce: "n")
        let b = CallbackSignature.v3Message(method: r.method, url: r.url, params: r.params, nonce: "n")
        check(a == b, "v3 message not deterministic")
        _ = CallbackSignature.v2Message(url: r.url, nonce: "n")
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let u = PythonURL(text)
    check(u.baseURL.utf8.count <= text.utf8.count + 3, "base URL grew: \(u.baseURL)")
    _ = PythonURL.parseQuery(text)
    _ = CallbackSignature.v3Message(method: "GET", url: text, params: [:], nonce: text)
}
