import PostgresNIO

/// Reads a PostgreSQL column as the type the schema gives it, and throws (rather than stopping,
/// as PostgresNIO's name subscript does for a missing column) when a row holds something else:
/// a database edited behind the vault's back is reported, never trusted.
struct PostgresRowReader {
    let row: PostgresRandomAccessRow
    let table: String

    init(_ row: PostgresRow, table: String) {
        self.row = row.makeRandomAccess()
        self.table = table
    }

    func value<T: PostgresDecodable>(_ key: some CodingKey) throws -> T {
        guard let v = try optional(key) as T? else { throw StoreError.constraint("\(table).\(key.stringValue) is NULL or missing") }
        return v
    }

    func optional<T: PostgresDecodable>(_ key: some CodingKey) throws -> T? {
        guard row.contains(key.stringValue) else { return nil }
        let cell = row[key.stringValue]
        guard cell.bytes != nil else { return nil }
        do { return try cell.decode(T.self) } catch {
            throw StoreError.constraint("\(table).\(key.stringValue) holds a value of the wrong type; run `vobiz-vault doctor`")
        }
    }
}
