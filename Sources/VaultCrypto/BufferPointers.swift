/// libsodium's headers mark pointer parameters non-null. SecureBytes always owns at least one
/// byte and callers check lengths first, so these never see a nil base address.
extension UnsafeRawBufferPointer {
    var u8: UnsafePointer<UInt8> { baseAddress!.assumingMemoryBound(to: UInt8.self) }
}

extension UnsafeMutableRawBufferPointer {
    var u8: UnsafeMutablePointer<UInt8> { baseAddress!.assumingMemoryBound(to: UInt8.self) }
}
