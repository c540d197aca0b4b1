import Foundation
import NIOCore
import VaultCore

/// Rows in the text format of `COPY … FROM STDIN`: columns split by tabs, rows by newlines,
/// `\N` for NULL, and in every value the backslash and the characters that would split it
/// escaped, so no value can end its row or start another.
struct PostgresCopyText {
    private(set) var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// The audit log's columns, in the order `appendAuditRow` writes them.
    static let auditColumns = [
        "seq", "at_ms", "actor_uid", "actor_user", "actor_pid", "actor_exe", "op", "auth_id", "version", "outcome",
        "reason", "detail", "prev_mac", "mac", "host",
    ]

    mutating func appendAuditRow(_ e: AuditEvent) {
        number(e.seq); tab(); number(e.atMillis); tab(); number(e.actor.map { Int64($0.uid) }); tab()
        text(e.actor?.user); tab(); number(e.actor?.pid.map { Int64($0) }); tab(); text(e.actor?.exe); tab()
        text(e.op); tab(); text(e.authID); tab(); number(e.version); tab(); text(e.outcome.rawValue); tab()
        text(e.reason); tab(); text(e.detail); tab(); bytes(e.prevMAC); tab(); bytes(e.mac); tab(); text(e.host)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private mutating func tab() { buffer.writeInteger(UInt8(ascii: "\t")) }
    private mutating func null() { buffer.writeStaticString("\\N") }

    private mutating func number(_ v: Int64?) {
        guard let v else { return null() }
        buffer.writeString(String(v))
    }

    private mutating func text(_ v: String?) {
        guard let v else { return null() }
        for byte in v.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// `bytea` as hex: `\x…`, its backslash escaped for the copy format.
    private mutating func bytes(_ v: Data) {
        buffer.writeStaticString("\\\\x")
        buffer.writeString(Hex.encode(v))
    }
}
