import Foundation
import VaultCore

/// A row of either backend read column by column, typed as the schema types it: each record is
/// decoded once (`RecordRows`), whatever store it came from. A value of another type, or NULL
/// where the schema admits none, is reported, never guessed at.
protocol ColumnReading {
    var table: String { get }
    func int(_ key: some CodingKey) throws -> Int64?
    func text(_ key: some CodingKey) throws -> String?
    func blob(_ key: some CodingKey) throws -> Data?
    func flag(_ key: some CodingKey) throws -> Bool?
}

extension ColumnReading {
    func must<T>(_ value: T?, _ key: some CodingKey) throws -> T {
        guard let value else { throw StoreError.constraint("\(table).\(key.stringValue) is NULL or missing") }
        return value
    }

    func int(required key: some CodingKey) throws -> Int64 { try must(try int(key), key) }
    func text(required key: some CodingKey) throws -> String { try must(try text(key), key) }
    func blob(required key: some CodingKey) throws -> Data { try must(try blob(key), key) }
    func flag(required key: some CodingKey) throws -> Bool { try must(try flag(key), key) }

    /// A text column that holds one of an enum's raw values.
    func choice<E: RawRepresentable<String>>(_ key: some CodingKey) throws -> E {
        let raw = try text(required: key)
        guard let v = E(rawValue: raw) else { throw StoreError.constraint("\(table).\(key.stringValue) holds \"\(Echo.short(raw))\"") }
        return v
    }
}

extension RowReader: ColumnReading {
    func int(_ key: some CodingKey) throws -> Int64? { try optional(key) }
    func text(_ key: some CodingKey) throws -> String? { try optional(key) }
    func blob(_ key: some CodingKey) throws -> Data? { try optional(key) }
    func flag(_ key: some CodingKey) throws -> Bool? { try optional(key) }
}

extension PostgresRowReader: ColumnReading {
    func int(_ key: some CodingKey) throws -> Int64? { try optional(key) }
    func text(_ key: some CodingKey) throws -> String? { try optional(key) }
    func blob(_ key: some CodingKey) throws -> Data? { try optional(key) }
    func flag(_ key: some CodingKey) throws -> Bool? { try optional(key) }
}
