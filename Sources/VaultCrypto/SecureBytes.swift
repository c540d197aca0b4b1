import CSodium

/// A buffer for secret material: allocated with `sodium_malloc` (guard pages, locked in RAM
/// where the limit allows), zeroed and freed on release, never printed.
///
/// Secrets are handed around as `SecureBytes` instead of `String`/`Data`, whose storage cannot
/// be wiped. Use `withUnsafeBytes` to feed them to a primitive or to a socket buffer.
public final class SecureBytes: @unchecked Sendable {
    // @unchecked: the pointer is owned exclusively by this instance; writers use
    // withUnsafeMutableBytes only while building the value, before it is shared.
    private let pointer: UnsafeMutableRawPointer
    /// Number of secret bytes held.
    public let count: Int

    /// Zero-filled secret buffer of `count` bytes.
    public init(count: Int) throws(CryptoError) {
        try Sodium.ready()
        precondition(count >= 0, "negative SecureBytes size")
        // sodium_malloc(0) is legal but returns a pointer we must still free; allocate one
        // byte so every instance owns a real allocation.
        guard let p = sodium_malloc(max(count, 1)) else {
            throw .secureAllocationFailed(bytes: count)
        }
        sodium_memzero(p, max(count, 1))
        pointer = p
        self.count = count
    }

    /// Copies `bytes` into locked memory. The caller remains responsible for the source.
    public convenience init(copying bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        try self.init(count: bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 {
            pointer.copyMemory(from: base, byteCount: bytes.count)
        }
    }

    /// Copies a byte array into locked memory, then wipes the array's buffer when it is
    /// uniquely owned (it usually is: a decoded field handed straight over).
    public convenience init(consuming bytes: inout [UInt8]) throws(CryptoError) {
        let n = bytes.count
        try self.init(count: n)
        let dst = pointer
        bytes.withUnsafeMutableBytes { src in
            if let base = src.baseAddress, n > 0 {
                dst.copyMemory(from: base, byteCount: n)
                sodium_memzero(base, n)
            }
        }
        bytes.removeAll()
    }

    /// `count` bytes from the system CSPRNG.
    public static func random(count: Int) throws(CryptoError) -> SecureBytes {
        let s = try SecureBytes(count: count)
        randombytes_buf(s.pointer, count)
        return s
    }

    deinit {
        // sodium_free zeroes the region before unmapping it.
        sodium_free(pointer)
    }

    /// Read access to the secret bytes for the duration of `body`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Write access, for filling a freshly allocated buffer.
    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// Constant-time equality (the length is not secret).
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return sodium_memcmp(pointer, other.pointer, count) == 0
    }

    /// A copy in a new locked buffer, limited to the first `length` bytes.
    public func prefix(_ length: Int) throws(CryptoError) -> SecureBytes {
        let n = min(length, count)
        let copy = try SecureBytes(count: n)
        if n > 0 { copy.pointer.copyMemory(from: pointer, byteCount: n) }
        return copy
    }
}

extension SecureBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
