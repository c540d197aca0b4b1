import Foundation

/// A request URL checked against the upstream and Docs/api.md: parsed strictly and *rejected*,
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

    /// Parses an absolute URL that must live on `upstream`. Works on the UTF-8 bytes in one
    /// pass per concern: this runs for every request the daemon answers.
    public init(_ url: String, upstream: Upstream) throws(ScopeError) {
        let b = Array(url.utf8)
        for c in b {
            if c < 0x21 || c == 0x7F { throw .forbiddenCharacter("a control character or space") }
            if c > 0x7E { throw .forbiddenCharacter("a non-ASCII character") }
            if c == UInt8(ascii: "\\") { throw .forbiddenCharacter("a backslash") }
            if c == UInt8(ascii: "#") { throw .forbiddenCharacter("a fragment (#)") }
        }
        guard let sep = Self.find(b, [0x3A, 0x2F, 0x2F], from: 0) else {
            throw .malformed("expected an absolute URL such as \(upstream.origin)/api/v1/…")
        }
        let scheme = String(decoding: b[..<sep].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        guard scheme == upstream.scheme else { throw .wrongOrigin("scheme \(Echo.short(scheme)) is not \(upstream.scheme)") }
        let authorityStart = sep + 3
        let slash = b[authorityStart...].firstIndex(of: UInt8(ascii: "/")) ?? b.count
        if b[authorityStart..<slash].contains(UInt8(ascii: "@")) { throw .wrongOrigin("userinfo (user@) is not allowed") }
        let (host, port) = try Self.splitAuthority(Substring(String(decoding: b[authorityStart..<slash], as: UTF8.self)), scheme: scheme)
        guard host == upstream.host else { throw .wrongOrigin("host \(Echo.short(host, limit: 64)) is not \(upstream.host)") }
        guard port == upstream.port else { throw .wrongOrigin("port \(port) is not \(upstream.port)") }

        let q = b[slash...].firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = b[slash..<(q ?? b.count)]
        guard !pathBytes.isEmpty else { throw .malformed("the path is empty") }
        guard pathBytes.count <= Self.maxPathLength else { throw .tooLong(pathBytes.count) }
        try Self.checkPath(pathBytes)
        if let q { try Self.checkPercents(b[(q + 1)...], inPath: false) }
        path = String(decoding: pathBytes, as: UTF8.self)
        query = q.map { String(decoding: b[($0 + 1)...], as: UTF8.self) }
        canonical = upstream.origin + path + (query.map { "?" + $0 } ?? "")
        implied = try Self.implied(by: pathBytes)
    }

    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
    }

    static func find(_ b: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard b.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= b.count {
            if b[i] == needle[0], b[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// `host[:port]` → lower-cased host and numeric port; refuses a trailing dot, an empty host,
    /// IPv6 literals and anything that is not a plain DNS name or IPv4 address.
    static func splitAuthority(_ authority: Substring, scheme: String) throws(ScopeError) -> (String, Int) {
        var host = authority
        var port = Upstream.defaultPort(scheme)
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let digits = authority[authority.index(after: colon)...]
            guard let p = StrictInteger.decimal(digits, maxDigits: 5).map(Int.init), p > 0, p < 65536 else {
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
    /// `.`/`..`; percent-escapes must be well formed and must not hide `/`, `\\`, `.`, `%` or NUL.
    static func checkPath(_ path: ArraySlice<UInt8>) throws(ScopeError) {
        guard path.first == UInt8(ascii: "/") else { throw .malformed("the path must start with /") }
        // Matrix parameters (`Account;x`) would hide a segment's name from the scope checks.
        if path.contains(UInt8(ascii: ";")) { throw .forbiddenCharacter("';' in the path") }
        var segStart = path.startIndex + 1
        var i = segStart
        while i <= path.endIndex {
            if i == path.endIndex || path[i] == UInt8(ascii: "/") {
                let seg = path[segStart..<i]
                let last = i == path.endIndex
                if seg.isEmpty, !(last && segStart > path.startIndex + 1) {
                    if !(last && path.count == 1) { throw .forbiddenSegment("an empty segment (//)") }
                }
                if seg.elementsEqual([0x2E]) || seg.elementsEqual([0x2E, 0x2E]) {
                    throw .forbiddenSegment("a '\(String(decoding: seg, as: UTF8.self))' segment")
                }
                segStart = i + 1
            }
            i += 1
        }
        try checkPercents(path, inPath: true)
    }

    static func checkPercents(_ b: ArraySlice<UInt8>, inPath: Bool) throws(ScopeError) {
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.endIndex, let hi = JSONParser.hexValue(b[i + 1]), let lo = JSONParser.hexValue(b[i + 2]) else {
                    throw .malformed("a '%' not followed by two hex digits")
                }
                let v = hi << 4 | lo
                if v == 0 { throw .forbiddenEncoding("NUL (%00)") }
                // Letters, digits and -._~ never need escaping (RFC 3986 §2.3); escaped, they
                // would let `%41ccount` slip past the scope checks below.
                if inPath, Self.isUnreserved(UInt8(v)) {
                    throw .forbiddenEncoding(String(format: "the unreserved character '%@' (%%%02X)", String(UnicodeScalar(UInt8(v))), v))
                }
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
    static func implied(by path: ArraySlice<UInt8>) throws(ScopeError) -> ImpliedCredential {
        func follows(_ prefix: String) -> ArraySlice<UInt8>? {
            let p = Array(prefix.utf8)
            guard path.starts(with: p) else { return nil }
            return path[(path.startIndex + p.count)...]
        }
        // Another spelling of a tree's name must not take a path out of its tree.
        let lower = path.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for tree in ["/api/v1/partner", "/api/v1/account/"] where lower.starts(with: Array(tree.utf8)) {
            let exact = tree == "/api/v1/partner" ? ["/api/v1/partner"] : ["/api/v1/Account/", "/api/v1/account/"]
            if !exact.contains(where: { path.starts(with: Array($0.utf8)) }) {
                throw .malformed("the path spells \(tree) in another case; use the API's spelling")
            }
        }
        if let rest = follows("/api/v1/partner"), rest.isEmpty || rest.first == UInt8(ascii: "/") { return .partner }
        guard let rest = follows("/api/v1/Account/") ?? follows("/api/v1/account/"), !rest.isEmpty else { return .none }
        let idBytes = rest.prefix { $0 != UInt8(ascii: "/") }
        guard let id = try? AuthID(String(decoding: idBytes, as: UTF8.self)), id.kind == .customer else {
            throw .malformed("the account segment must be a customer auth id (MA_…)")
        }
        return .customer(id)
    }
}
