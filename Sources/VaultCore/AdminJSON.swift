import Foundation

/// The one JSON encoding of the admin surface: the admin API's answers and the CLI's `--json`
/// output are the same bytes (sorted keys, so the same state always prints the same way).
public enum AdminJSON {
    public static func encode(_ value: some Encodable, pretty: Bool = true) -> String {
        encode(value, with: encoder(pretty: pretty))
    }

    /// One encoder for many values (a listing's rows): the same bytes as `encode`.
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode(_ value: some Encodable, with encoder: JSONEncoder) -> String {
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
