/// Turns operator input (JSON or CSV) into validated import records. All or nothing: the first
/// problem fails the whole input and names the record and field.
public enum ImportParser {
    public enum Format: String, Sendable, CaseIterable {
        case json, csv
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case json(JSONParser.Failure)
        case csv(CSVParser.Failure)
        case shape(String)
        case record(index: Int, CoreError)
        case field(index: Int, String)
        case conflictingDuplicate(String)

        public var description: String {
            switch self {
            case .empty: "nothing to import: the input is empty"
            case .json(let f): f.description
            case .csv(let f): f.description
            case .shape(let s): s
            case .record(let i, let e): "record \(i): \(e)"
            case .field(let i, let s): "record \(i): \(s)"
            case .conflictingDuplicate(let id): "\(id) appears twice in the input with different tokens"
            }
        }
    }

    /// JSON when the first non-blank byte is `{` or `[`, CSV otherwise.
    public static func detect(_ input: UnsafeRawBufferPointer) -> Format? {
        for b in input where ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains(b) {
            return b == UInt8(ascii: "{") || b == UInt8(ascii: "[") ? .json : .csv
        }
        return nil
    }

    public static func parse(_ input: UnsafeRawBufferPointer, format: Format? = nil) throws(Failure) -> [ImportRecord] {
        guard let fmt = format ?? detect(input) else { throw .empty }
        let records = try fmt == .json ? parseJSON(input) : parseCSV(input)
        guard !records.isEmpty else { throw .empty }
        return try deduplicated(records)
    }

    static func parseJSON(_ input: UnsafeRawBufferPointer) throws(Failure) -> [ImportRecord] {
        let doc: JSONValue
        do { doc = try JSONParser.parse(input) } catch { throw .json(error) }
        switch doc {
        case .object: return [try record(doc, index: 1)]
        case .array(let items):
            var out: [ImportRecord] = []
            for (i, item) in items.enumerated() { out.append(try record(item, index: i + 1)) }
            return out
        default:
            throw .shape("expected a JSON object with auth_id and auth_token, or an array of them; got \(doc.typeName)")
        }
    }

    /// Accepts `{auth_id, auth_token, label?, kind?}` and the raw Vobiz create-account
    /// response, whose other fields are ignored and whose `name` serves as label.
    static func record(_ v: JSONValue, index: Int) throws(Failure) -> ImportRecord {
        guard case .object = v else { throw .field(index: index, "expected an object, got \(v.typeName)") }
        let id = try string(v, "auth_id", index: index, required: true)!
        guard case .string(let token)? = v["auth_token"] else {
            throw .field(index: index, v["auth_token"] == nil ? "missing auth_token" : "auth_token must be a string")
        }
        var label = try string(v, "label", index: index, required: false)
        if label == nil { label = try string(v, "name", index: index, required: false) }
        let kind = try string(v, "kind", index: index, required: false)
        do {
            return try ImportRecord(authID: id, token: token, label: label, declaredKind: kind)
        } catch {
            throw .record(index: index, error)
        }
    }

    static func string(_ v: JSONValue, _ key: String, index: Int, required: Bool) throws(Failure) -> String? {
        switch v[key] {
        case .string(let s)?: return s.plainText
        case nil, .null?: if required { throw .field(index: index, "missing \(key)") } else { return nil }
        case let other?: throw .field(index: index, "\(key) must be a string, got \(other.typeName)")
        }
    }

    /// `auth_id,auth_token,label` per line; a first line starting with `auth_id` is a header.
    static func parseCSV(_ input: UnsafeRawBufferPointer) throws(Failure) -> [ImportRecord] {
        let rows: [CSVParser.Row]
        do { rows = try CSVParser.parse(input) } catch { throw .csv(error) }
        var out: [ImportRecord] = []
        for (n, row) in rows.enumerated() {
            if n == 0, row.fields.first?.plainText.trimmingASCIISpaces() == "auth_id" { continue }
            guard row.fields.count == 2 || row.fields.count == 3 else {
                throw .shape("CSV line \(row.line): expected auth_id,auth_token[,label], got \(row.fields.count) fields")
            }
            let label = row.fields.count == 3 ? row.fields[2].plainText : nil
            do {
                out.append(try ImportRecord(authID: row.fields[0].plainText.trimmingASCIISpaces(),
                                            token: row.fields[1], label: label?.isEmpty == true ? nil : label))
            } catch {
                throw .shape("CSV line \(row.line): \(error)")
            }
        }
        return out
    }

    /// The same account twice with the same token is harmless; with different tokens the
    /// input is ambiguous and refused.
    static func deduplicated(_ records: [ImportRecord]) throws(Failure) -> [ImportRecord] {
        var seen: [AuthID: ImportRecord] = [:]
        var out: [ImportRecord] = []
        for r in records {
            if let prior = seen[r.authID] {
                guard prior.token.equalBytes(r.token) else { throw .conflictingDuplicate(r.authID.rawValue) }
                continue
            }
            seen[r.authID] = r
            out.append(r)
        }
        return out
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s.removeLast() }
        return String(s)
    }
}
