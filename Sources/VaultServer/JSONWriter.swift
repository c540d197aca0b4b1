import Foundation
import NIOCore
import VaultCrypto

/// Writes JSON straight into a ByteBuffer, so a revealed token goes from locked memory into
/// the response buffer without becoming a String.
final class JSONWriter {
    private(set) var buffer = ByteBufferAllocator().buffer(capacity: 512)
    private var needsComma = [false]

    func object(_ body: () -> Void) {
        separate()
        buffer.writeStaticString("{")
        needsComma.append(false)
        body()
        needsComma.removeLast()
        buffer.writeStaticString("}")
    }

    func array(_ body: () -> Void) {
        separate()
        buffer.writeStaticString("[")
        needsComma.append(false)
        body()
        needsComma.removeLast()
        buffer.writeStaticString("]")
    }

    func field(_ key: String, _ value: () -> Void) {
        separate()
        writeEscaped(key)
        buffer.writeStaticString(":")
        needsComma[needsComma.count - 1] = false
        value()
        needsComma[needsComma.count - 1] = true
    }

    func string(_ s: String) {
        separate()
        writeEscaped(s)
    }

    /// Most strings need no escaping; they are copied in one piece.
    private func writeEscaped(_ s: String) {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != 0x7F }) {
            buffer.writeStaticString("\"")
            buffer.writeString(s)
            buffer.writeStaticString("\"")
        } else {
            writeEscaped(Array(s.utf8)[...])
        }
    }

    func raw(_ s: String) {
        separate()
        buffer.writeString(s)
    }

    func null() { raw("null") }

    /// Unstructured writing for hot paths: the caller places commas and colons itself.
    func literal(_ s: String) { buffer.writeString(s) }
    func rawString(_ s: String) { writeEscaped(s) }
    func rawSecret(_ s: SecureBytes) { s.withUnsafeBytes { writeEscaped($0) } }

    /// A secret as a JSON string, escaped byte by byte from locked memory.
    func secret(_ s: SecureBytes) {
        separate()
        s.withUnsafeBytes { writeEscaped($0) }
    }

    private func separate() {
        if needsComma[needsComma.count - 1] { buffer.writeStaticString(",") }
        needsComma[needsComma.count - 1] = true
    }

    private func writeEscaped<C: Collection<UInt8>>(_ bytes: C) {
        buffer.writeStaticString("\"")
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x00..<0x20, 0x7F:
                buffer.writeString(String(format: "\\u%04x", b))
            default: buffer.writeInteger(b)
            }
        }
        buffer.writeStaticString("\"")
    }
}
