/// Secret bytes on their way from parsed input into locked memory. VaultCore cannot use
/// libsodium, so this is the pure-Swift holding pen: a class (no copy-on-write copies left
/// behind) that zeroes its buffer when released. Hand its bytes to `SecureBytes` and drop it.
public final class SecretScratch: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked: the buffer is written only while parsing, before the value escapes.
    private var bytes: [UInt8]

    public init(_ bytes: [UInt8] = []) { self.bytes = bytes }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    func append(_ b: UInt8) { bytes.append(b) }
    func append(contentsOf s: some Sequence<UInt8>) { bytes.append(contentsOf: s) }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = bytes.withUnsafeBytes { b in
            do throws(E) { return .success(try body(b)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// For fields that are not secret (auth ids, labels).
    public var plainText: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether every byte satisfies `predicate`, without exposing the bytes.
    public func allBytes(_ predicate: (UInt8) -> Bool) -> Bool { bytes.allSatisfy(predicate) }

    public func equalBytes(_ other: SecretScratch) -> Bool {
        // Only used to dedupe records of one input; both sides come from the same caller.
        bytes == other.bytes
    }

    /// Overwrites the buffer with zeros (capacity included) and empties it.
    public func wipe() {
        bytes.withUnsafeMutableBytes { raw in
            for i in raw.indices { raw[i] = 0 }
        }
        bytes.removeAll(keepingCapacity: false)
    }

    deinit { wipe() }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
