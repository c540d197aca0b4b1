import Foundation

/// Builds the `detail` column of an audit row: a compact JSON object with sorted keys, for
/// non-secret facts only (fingerprints, grace periods, counts).
enum AuditDetail {
    static func json(_ fields: [String: any Sendable]) -> String? {
        guard !fields.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}
