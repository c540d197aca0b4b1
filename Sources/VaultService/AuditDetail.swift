/// Builds the `detail` column of an audit row: a compact JSON object with sorted keys, for
/// non-secret facts only (fingerprints, grace periods, counts). Hand-written because it runs
/// for every request the daemon answers.
enum AuditDetail {
    static func json(_ fields: [String: any Sendable]) -> String? {
        guard !fields.isEmpty else { return nil }
        var out = "{"
        for (i, key) in fields.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += quoted(key) + ":"
            switch fields[key] {
            case let v as String: out += quoted(v)
            case let v as Int: out += String(v)
            case let v as Int64: out += String(v)
            case let v as Bool: out += v ? "true" : "false"
            case let v?: out += quoted("\(v)")
            case nil: out += "null"
            }
        }
        return out + "}"
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string to `out`.
    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        defer { out += "\"" }
        // Most values (names, paths, ids) need no escaping: one scan, one copy.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += s
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
    }
}
