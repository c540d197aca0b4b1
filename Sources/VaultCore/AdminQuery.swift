/// The query string of an admin API request, read strictly: only the parameters the route
/// takes, each at most once, with values of plain printable characters (no percent-encoding:
/// no value the API takes needs it).
public struct AdminQuery: Sendable {
    var values: [String: String] = [:]

    public init(_ uri: String, allowed: Set<String>) throws(RequestError) {
        guard let q = uri.firstIndex(of: "?") else { return }
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]), value = kv.count > 1 ? String(kv[1]) : ""
            guard allowed.contains(key) else { throw .badField("unknown query parameter \"\(Echo.short(key))\"") }
            guard values[key] == nil else { throw .badField("query parameter \(key) given twice") }
            guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") }) else {
                throw .badField("query parameter \(key) has characters it cannot hold")
            }
            values[key] = value
        }
    }

    public subscript(key: String) -> String? { values[key] }
}
