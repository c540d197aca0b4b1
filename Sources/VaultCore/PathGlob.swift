/// A path pattern of a grant: `*` matches within one segment, `**` any number of whole
/// segments (zero included). Matching is on the canonical path, query excluded.
public struct PathGlob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let segments: [Substring]

    public init(_ pattern: String) throws(PolicyError) {
        guard pattern.hasPrefix("/") else { throw .invalid("path pattern \(Echo.short(pattern, limit: 80)) must start with /") }
        self.pattern = pattern
        segments = Self.split(pattern)
        for s in segments where s.contains("**") && s != "**" {
            throw .invalid("in \(Echo.short(pattern, limit: 80)), ** must be a whole segment")
        }
    }

    public var description: String { pattern }

    public func matches(_ path: String) -> Bool {
        if segments == ["**"] { return true }
        return Self.match(segments[...], Self.split(path)[...])
    }

    static func split(_ path: String) -> [Substring] {
        var parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            for skip in 0...path.count where match(rest, path.dropFirst(skip)) { return true }
            return false
        }
        guard let seg = path.first, segmentMatches(first, seg) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// `*` within a segment: any run of characters.
    static func segmentMatches(_ p: Substring, _ s: Substring) -> Bool {
        let pc = Array(p.utf8), sc = Array(s.utf8)
        var pi = 0, si = 0, star = -1, mark = 0
        while si < sc.count {
            if pi < pc.count, pc[pi] != UInt8(ascii: "*"), pc[pi] == sc[si] {
                pi += 1; si += 1
            } else if pi < pc.count, pc[pi] == UInt8(ascii: "*") {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < pc.count, pc[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == pc.count
    }
}
