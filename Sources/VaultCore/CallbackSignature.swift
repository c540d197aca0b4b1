/// The strings Vobiz signs on its callbacks (Docs/callbacks.md), built exactly as the Vobiz Python SDK
/// builds them (`vobiz.utils.validate_signature`, `vobiz.utils.validate_v3_signature`), so that
/// the vault's verdicts agree with the SDK's bit for bit. The HMAC itself is computed by the
/// caller, which holds the token: this type only says *what* is signed.
public enum CallbackSignature {
    public enum Scheme: String, Sendable {
        case v2, v3
    }

    /// A parameter value as a web framework hands it over: one string, several, or a nested
    /// object (the SDK accepts all three).
    public indirect enum Value: Hashable, Sendable {
        case string(String)
        case list([String])
        case object([String: Value])
    }

    /// The V2 signed text: the URL without query, fragment or `;params`, then the nonce.
    public static func v2Message(url: String, nonce: String) -> [UInt8] {
        v2Message(url: PythonURL(url), nonce: nonce)
    }

    public static func v2Message(url: PythonURL, nonce: String) -> [UInt8] {
        Array((url.baseURL + nonce).utf8)
    }

    /// The V3 signed text: for GET, the URL with its query and `params` merged and sorted; for
    /// POST, the URL with its sorted query, then the sorted form parameters; then `.` and the nonce.
    public static func v3Message(method: String, url: String, params: [String: Value], nonce: String) -> [UInt8] {
        v3Message(method: method, url: PythonURL(url), params: params, nonce: nonce)
    }

    public static func v3Message(method: String, url u: PythonURL, params: [String: Value], nonce: String) -> [UInt8] {
        // Written byte by byte into one buffer: this runs for every verification.
        var out: [UInt8] = []
        out.reserveCapacity(u.path.utf8.count + u.query.utf8.count + 128)
        if method == "GET" {
            appendGetURL(u, params: params, emptyPostParams: true, to: &out)
        } else {
            appendGetURL(u, params: [:], emptyPostParams: params.isEmpty, to: &out)  // construct_post_url
            appendSortedParams(params, to: &out)
        }
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: nonce.utf8)
        return out
    }

    /// `construct_get_url`: the query's parameters override `params` of the same name.
    /// Names are told apart by their bytes, as Python's dict does: Swift's `String` equality
    /// would merge canonically equivalent names (`é` and `e` + U+0301) and drop values from
    /// the signed text.
    static func appendGetURL(_ u: PythonURL, params: [String: Value], emptyPostParams: Bool, to out: inout [UInt8]) {
        var merged: [(key: String, value: Value)] = params.map { ($0.key, $0.value) }
        for (k, v) in PythonURL.parseQuery(u.query) {
            if let i = merged.firstIndex(where: { $0.key.utf8.elementsEqual(k.utf8) }) {
                merged[i].value = .list(v)
            } else {
                merged.append((k, .list(v)))
            }
        }
        out.append(contentsOf: u.baseURL.utf8)
        let mark = out.count
        out.append(UInt8(ascii: "?"))
        appendSortedQuery(merged, to: &out)
        let queryIsEmpty = out.count == mark + 1
        if queryIsEmpty && emptyPostParams { out.removeLast() }
        if !queryIsEmpty && !emptyPostParams { out.append(UInt8(ascii: ".")) }
    }

    /// `get_sorted_query_string`: `k=v` joined by `&`, keys sorted, several values sorted.
    static func appendSortedQuery(_ params: [(key: String, value: Value)], to out: inout [UInt8]) {
        // Joined exactly as the SDK joins: one element per key (an empty list gives an empty
        // element, so two `&` in a row), its values joined by `&` inside it.
        let sorted = params.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (i, (key, value)) in sorted.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            let values: [String]
            switch value {
            case .list(let list): values = sortedStrings(list)
            case .string(let s): values = [s]
            case .object: values = [""]  // refused before: `CallbackRequest` allows objects in POST parameters only
            }
            for (j, v) in values.enumerated() {
                if j > 0 { out.append(UInt8(ascii: "&")) }
                out.append(contentsOf: key.utf8)
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: v.utf8)
            }
        }
    }

    /// `get_sorted_params_string`: `kv` concatenated, keys sorted, values sorted, objects recursed.
    static func appendSortedParams(_ params: [String: Value], to out: inout [UInt8]) {
        for key in sortedKeys(params) {
            switch params[key]! {
            case .list(let values):
                for v in sortedStrings(values) {
                    out.append(contentsOf: key.utf8)
                    out.append(contentsOf: v.utf8)
                }
            case .object(let o):
                out.append(contentsOf: key.utf8)
                appendSortedParams(o, to: &out)
            case .string(let s):
                out.append(contentsOf: key.utf8)
                out.append(contentsOf: s.utf8)
            }
        }
    }

    /// Python sorts strings by code point; UTF-8 bytes sort in the same order.
    static func sortedKeys(_ d: [String: Value]) -> [String] { sortedStrings(Array(d.keys)) }

    static func sortedStrings(_ a: [String]) -> [String] {
        a.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// A URL split as Python's `urllib.parse.urlparse` splits it, for what the SDK signs.
public struct PythonURL: Sendable {
    public let scheme: String
    public let netloc: String
    public let path: String
    public let query: String

    /// Python's `uses_params` and `uses_netloc` (urllib.parse).
    static let usesParams: Set<String> = ["", "http", "https", "ftp", "hdl", "prospero", "rtsp", "rtspu", "sip", "sips", "mms", "sftp", "tel"]
    static let usesNetloc: Set<String> = ["", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
                                          "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh",
                                          "ws", "wss"]

    /// Splits on the UTF-8 bytes (the separators are all ASCII), once per request.
    public init(_ url: String) {
        let b = Array(url.utf8)
        var start = 0, end = b.count
        func text(_ from: Int, _ to: Int) -> String { String(decoding: b[from..<to], as: UTF8.self) }
        // urlsplit: a scheme is a letter, then letters, digits, + - ., then ':'.
        var scheme = ""
        if let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0, Self.isLetter(b[0]),
           b[..<colon].allSatisfy({ Self.isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) {
            scheme = String(decoding: b[..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            start = colon + 1
        }
        var netloc = ""
        if end - start >= 2, b[start] == 0x2F, b[start + 1] == 0x2F {
            var i = start + 2
            while i < end, b[i] != 0x2F, b[i] != 0x3F, b[i] != 0x23 { i += 1 }
            netloc = text(start + 2, i)
            start = i
        }
        if let hash = b[start..<end].firstIndex(of: 0x23) { end = hash }
        var query = ""
        if let q = b[start..<end].firstIndex(of: 0x3F) {
            query = text(q + 1, end)
            end = q
        }
        // urlparse: `;params` come off the last path segment (for schemes that use them).
        if Self.usesParams.contains(scheme), let _ = b[start..<end].firstIndex(of: 0x3B) {
            let lastSlash = b[start..<end].lastIndex(of: 0x2F) ?? start
            if let semi = b[lastSlash..<end].firstIndex(of: 0x3B) { end = semi }
        }
        self.scheme = scheme
        self.netloc = netloc
        path = text(start, end)
        self.query = query
    }

    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    /// `urlunparse((scheme, netloc, path, '', '', ''))`.
    public var baseURL: String {
        var url = path
        if !netloc.isEmpty || (!scheme.isEmpty && Self.usesNetloc.contains(scheme) && !url.hasPrefix("//")) {
            if !url.isEmpty && !url.hasPrefix("/") { url = "/" + url }
            url = "//" + netloc + url
        }
        if !scheme.isEmpty { url = scheme + ":" + url }
        return url
    }

    /// `parse_qs(query, keep_blank_values=True)`: names in first-seen order, values in order.
    public static func parseQuery(_ query: String) -> [(String, [String])] {
        // Callback queries hold a few names: a linear search keeps first-seen order without a
        // dictionary beside it.
        var out: [(String, [String])] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = pair.utf8.firstIndex(of: UInt8(ascii: "="))
            let name = unquotePlus(eq.map { pair[..<$0] } ?? pair)
            let value = eq.map { unquotePlus(pair[pair.index(after: $0)...]) } ?? ""
            if let i = out.firstIndex(where: { $0.0.utf8.elementsEqual(name.utf8) }) {
                out[i].1.append(value)
            } else {
                out.append((name, [value]))
            }
        }
        return out
    }

    /// `unquote_plus`: `+` is a space, `%XX` a byte; invalid escapes stay; bytes decode as UTF-8
    /// with U+FFFD for what is not.
    static func unquotePlus(_ s: Substring) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(s) }
        var bytes: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = JSONParser.hexValue(b[i + 1]), let l = JSONParser.hexValue(b[i + 2]) {
                bytes.append(UInt8(h << 4 | l))
                i += 2
            } else {
                bytes.append(b[i])
            }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
