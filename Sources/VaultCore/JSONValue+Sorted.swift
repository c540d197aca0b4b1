extension JSONValue {
    /// The document as compact JSON with every object's keys in byte order: the stable form the
    /// CLI prints for scripts (`headers --format json`, `verify-callback --json`).
    public func writeSorted(to out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Array(m.key.utf8).withUnsafeBytes { JSONText.appendString($0, to: &out) }
                out.append(UInt8(ascii: ":"))
                m.value.writeSorted(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeSorted(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let s): s.withUnsafeBytes { JSONText.appendString($0, to: &out) }
        case .number(let n): out += Array(n.utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        }
    }
}
