import Foundation
import TOMLKit
import VaultCore
#if canImport(Glibc)
import Glibc
#endif

extension ConfigLoader.Reader {
    /// `[[grant]]` tables → grants, with user and group names resolved to ids now, so a typo
    /// in a name is a load error rather than a grant that silently matches nobody.
    func grants(_ v: (any TOMLValueConvertible)?) throws(ConfigError) -> [Grant] {
        guard let array = v?.array else { throw .wrongType(path: path, key: "grant", expected: "an array of tables ([[grant]])") }
        var out: [Grant] = []
        var names = Set<String>()
        for (i, item) in array.enumerated() {
            guard let t = item.table else { throw .wrongType(path: path, key: "grant[\(i + 1)]", expected: "a table") }
            let g = try grant(t, index: i + 1)
            guard names.insert(g.name).inserted else { throw .invalidValue(path: path, key: "grant.name", reason: "\"\(g.name)\" is used twice") }
            out.append(g)
        }
        return out
    }

    private func grant(_ t: TOMLTable, index: Int) throws(ConfigError) -> Grant {
        let key = "grant[\(index)]"
        let known: Set<String> = ["name", "uid", "user", "gid", "group", "exe", "unit", "credentials", "operations", "methods",
                                  "paths", "reveal", "rate"]
        for k in t.keys where !known.contains(k) { throw .unknownKey(path: path, key: "\(key).\(k)") }
        let name = try t["name"].map { v throws(ConfigError) in
            guard let s = v.string, !s.isEmpty else { throw .wrongType(path: path, key: "\(key).name", expected: "a non-empty string") }
            try noNUL(s, "\(key).name")
            return s
        } ?? "grant-\(index)"
        let k = "grant \"\(name)\""
        var uids = try ints(t["uid"], "\(k).uid")
        for user in try strings(t["user"], "\(k).user") ?? [] {
            guard let uid = SystemUsers.uid(of: user) else { throw .invalidValue(path: path, key: "\(k).user", reason: "no user \(user)") }
            uids = (uids ?? []).union([uid])
        }
        var gids = try ints(t["gid"], "\(k).gid")
        for group in try strings(t["group"], "\(k).group") ?? [] {
            guard let gid = SystemUsers.gid(of: group) else { throw .invalidValue(path: path, key: "\(k).group", reason: "no group \(group)") }
            gids = (gids ?? []).union([gid])
        }
        let creds = try strings(t["credentials"], "\(k).credentials") ?? []
        let ops = try strings(t["operations"], "\(k).operations") ?? []
        var operations = Set<GrantOperation>()
        for o in ops {
            guard let op = GrantOperation(rawValue: o) else {
                throw .invalidValue(path: path, key: "\(k).operations", reason: "\(Echo.short(o)) is not one of headers, proxy, jwt, verify_callback")
            }
            operations.insert(op)
        }
        let methods = try strings(t["methods"], "\(k).methods").map { Set($0.map { $0.uppercased() }) }
        var reveal = false
        if let r = t["reveal"] {
            guard let b = r.bool else { throw .wrongType(path: path, key: "\(k).reveal", expected: "true or false") }
            reveal = b
        }
        var rate: Double?
        if let r = t["rate"] {
            guard let n = r.double ?? r.int.map(Double.init) else { throw .wrongType(path: path, key: "\(k).rate", expected: "a number") }
            rate = n
        }
        do {
            let paths = try strings(t["paths"], "\(k).paths")?.map { p throws(PolicyError) in try PathGlob(p) }
            return try Grant(name: name, uids: uids, gids: gids, exes: try strings(t["exe"], "\(k).exe").map(Set.init),
                             units: try strings(t["unit"], "\(k).unit").map(Set.init),
                             credentials: creds.map { c throws(PolicyError) in try CredentialPattern(c) }, operations: operations,
                             methods: methods, paths: paths, reveal: reveal, rate: rate)
        } catch let e as PolicyError {
            throw .invalidValue(path: path, key: k, reason: e.description)
        } catch let e as ConfigError {
            throw e
        } catch {
            throw .invalidValue(path: path, key: k, reason: "\(error)")
        }
    }

    /// A string or an array of strings, none holding a NUL byte.
    private func strings(_ v: (any TOMLValueConvertible)?, _ key: String) throws(ConfigError) -> [String]? {
        guard let v else { return nil }
        let items: [any TOMLValueConvertible] = v.array.map { Array($0) } ?? [v]
        var out: [String] = []
        for item in items {
            guard let s = item.string else { throw .wrongType(path: path, key: key, expected: "a string or an array of strings") }
            try noNUL(s, key)
            out.append(s)
        }
        return out
    }

    /// An integer or an array of integers, as 32-bit ids.
    private func ints(_ v: (any TOMLValueConvertible)?, _ key: String) throws(ConfigError) -> Set<UInt32>? {
        guard let v else { return nil }
        let items: [any TOMLValueConvertible] = v.array.map { Array($0) } ?? [v]
        var out = Set<UInt32>()
        for item in items {
            guard let n = item.int, let id = UInt32(exactly: n) else { throw .wrongType(path: path, key: key, expected: "an id or an array of ids") }
            out.insert(id)
        }
        return out
    }
}
