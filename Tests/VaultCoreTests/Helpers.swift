import Foundation
@testable import VaultCore

func parseJSON(_ s: String) throws -> JSONValue {
    try Array(s.utf8).withUnsafeBytes { try JSONParser.parse($0) }
}

func parseImport(_ s: String, format: ImportParser.Format? = nil) throws(ImportParser.Failure) -> [ImportRecord] {
    let result: Result<[ImportRecord], ImportParser.Failure> = Array(s.utf8).withUnsafeBytes { b in
        do throws(ImportParser.Failure) { return .success(try ImportParser.parse(b, format: format)) } catch { return .failure(error) }
    }
    return try result.get()
}

func tokenText(_ r: ImportRecord) -> String { r.token.plainText }

/// A deterministic stand-in for HMAC (VaultCore has no crypto): 32 bytes of FNV-1a lanes
/// seeded with a key, enough to tell edited rows apart in chain tests.
struct ToyMAC: AuditChain.AuditMAC {
    var key: UInt64 = 0x1234_5678

    func mac(_ message: [UInt8]) -> Data {
        var out = Data()
        for lane in 0..<4 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ key ^ UInt64(lane)
            for b in message { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            withUnsafeBytes(of: h.bigEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    func equal(_ a: Data, _ b: Data) -> Bool { a == b }
}
