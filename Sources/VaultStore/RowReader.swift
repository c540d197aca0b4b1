import GRDB

/// Reads a column as the type the schema gives it, and throws (rather than stopping the
/// process, as GRDB's typed subscript does) when a row holds something else or lacks the
/// column: a database edited behind the vault's back is reported, never trusted.
struct RowReader {
    let row: Row
    let table: String

    func value<T: DatabaseValueConvertible>(_ key: some CodingKey) throws -> T {
        guard let v = try optional(key) as T? else { throw StoreError.constraint("\(table).\(key.stringValue) is NULL or missing") }
        return v
    }

    func optional<T: DatabaseValueConvertible>(_ key: some CodingKey) throws -> T? {
        // Optional DatabaseValue: nil for a missing column, never a stop.
        guard let raw = row[key.stringValue] as DatabaseValue?, !raw.isNull else { return nil }
        guard let v = T.fromDatabaseValue(raw) else {
            throw StoreError.constraint("\(table).\(key.stringValue) holds a value of the wrong type; run `vobiz-vault doctor`")
        }
        return v
    }
}
