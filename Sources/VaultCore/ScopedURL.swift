/// A request URL checked against the upstream and DESIGN §6: parsed strictly and *rejected*,
/// never normalised, when anything about it could mean two things.
public struct ScopedURL: Hashable, Sendable {
    /// Path exactly as requested (no query).
    public let path: String
    /// Query exactly as requested, without `?` (nil when absent).
    public let query: String?
    /// `scheme://host[:port]path[?query]`, the string sealed signatures cover.
    public let canonical: String
    /// Which credential the path implies.
    public let implied: ImpliedCredential

    public enum ImpliedCredential: Hashable, Sendable {
        case partner
        case customer(AuthID)
        case none
    }

    public static let maxPathLength = 2048

    /// Parses an absolute URL that must live on `upstream`.
    public init(_ url: String, upstream: Upstream) throws(ScopeError) {
        for u in url.unicodeScalars {
            if u.value < 0x21 || u.value == 0x7F { throw .forbiddenCharacter("a control character or space") }
            if u.value > 0x7E { throw .forbiddenCharacter("a non-ASCII character") }
            if u == "\\" { throw .forbiddenCharacter("a backslash") }
            if u == "#" { throw .forbiddenCharacter("a fragment (#)") }
        }
        guard let sep = url.range(of: "://") else { throw .malformed("expected an absolute URL such as \(upstream.origin)/api/v1/…") }
        let scheme = url[..<sep.lowerBound].lowercased()
        guard scheme == upstream.scheme else { throw .wrongOrigin("scheme \(Echo.short(scheme)) is not \(upstream.scheme)") }
        let afterScheme = url[sep.upperBound...]
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<slash]
        if authority.contains("@") { throw .wrongOrigin("userinfo (user@) is not allowed") }
        let (host, port) = try Self.splitAuthority(authority, scheme: scheme)
        guard host == upstream.host else { throw .wrongOrigin("host \(Echo.short(host, limit: 64)) is not \(upstream.host)") }
        guard port == upstream.port else { throw .wrongOrigin("port \(port) is not \(upstream.port)") }

        let target = afterScheme[slash...]
        let q = target.firstIndex(of: "?")
        let path = String(q.map { target[..<$0] } ?? target)
        let query = q.map { String(target[target.index(after: $0)...]) }
        guard !path.isEmpty else { throw .malformed("the path is empty") }
        guard path.utf8.count <= Self.maxPathLength else { throw .tooLong(path.utf8.count) }
        try Self.checkPath(path)
        if let query { try Self.checkPercents(query, inPath: false) }
        self.path = path
        self.query = query
        canonical = upstream.origin + path + (query.map { "?" + $0 } ?? "")
        implied = try Self.implied(by: path)
    }

    /// `host[:port]` → lower-cased host and numeric port; refuses a trailing dot, an empty host,
    /// IPv6 literals and anything that is not a plain DNS name or IPv4 address.
    static func splitAuthority(_ authority: Substring, scheme: String) throws(ScopeError) -> (String, Int) {
        var host = authority
        var port = Upstream.defaultPort(scheme)
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCII), let p = Int(digits), p > 0, p < 65536 else {
                throw .malformed("invalid port")
            }
            port = p
        }
        guard !host.isEmpty else { throw .malformed("no host") }
        guard !host.hasSuffix(".") else { throw .wrongOrigin("a trailing dot on the host is not allowed") }
        guard host.utf8.allSatisfy({ b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E
        }) else {
            throw .wrongOrigin("the host has characters outside letters, digits, '-' and '.'")
        }
        return (host.lowercased(), port)
    }

    /// Segments must be non-empty (one trailing `/` is allowed, as the Vobiz API uses it) and not
    /// `.`/`..`; percent-escapes must be well formed and must not hide `/`, `\`, `.`, `%` or NUL.
    static func checkPath(_ path: String) throws(ScopeError) {
        guard path.hasPrefix("/") else { throw .malformed("the path must start with /") }
        var segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if segments.count > 1, segments.last == "" { segments.removeLast() }
        for s in segments {
            if s.isEmpty { throw .forbiddenSegment("an empty segment (//)") }
            if s == "." || s == ".." { throw .forbiddenSegment("a '\(s)' segment") }
        }
        try checkPercents(path, inPath: true)
    }

    static func checkPercents(_ text: String, inPath: Bool) throws(ScopeError) {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, let hi = JSONParser.hexValue(b[i + 1]), let lo = JSONParser.hexValue(b[i + 2]) else {
                    throw .malformed("a '%' not followed by two hex digits")
                }
                let v = hi << 4 | lo
                if v == 0 { throw .forbiddenEncoding("NUL (%00)") }
                if inPath, [0x2F, 0x5C, 0x2E, 0x25].contains(v) {
                    throw .forbiddenEncoding(String(format: "'%@' (%%%02X)", String(UnicodeScalar(UInt8(v))), v))
                }
                i += 3
            } else {
                i += 1
            }
        }
    }

    /// `/api/v1/partner[/…]` → partner; `/api/v1/Account/{id}/…` (or `account`) → that customer.
    static func implied(by path: String) throws(ScopeError) -> ImpliedCredential {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return .none }
        if parts[2] == "partner" { return .partner }
        if parts[2] == "Account" || parts[2] == "account" {
            guard parts.count >= 4 else { return .none }
            guard let id = try? AuthID(String(parts[3])), id.kind == .customer else {
                throw .malformed("the account segment must be a customer auth id (MA_…)")
            }
            return .customer(id)
        }
        return .none
    }
}

import Foundation
