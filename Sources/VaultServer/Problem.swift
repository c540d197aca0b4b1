import NIOCore
import VaultCore

/// RFC 9457 problem details with the stable type suffixes of Docs/api.md.
enum Problem {
    static func body(_ type: ProblemType, _ detail: String) -> ByteBuffer {
        let w = JSONWriter()
        w.object {
            w.field("type") { w.string(type.uri) }
            w.field("title") { w.string(type.title) }
            w.field("status") { w.raw(String(type.status)) }
            w.field("detail") { w.string(detail) }
        }
        return w.buffer
    }

    static func response(_ type: ProblemType, _ detail: String) -> VaultResponse {
        VaultResponse(status: .init(statusCode: type.status), contentType: "application/problem+json", body: body(type, detail))
    }
}
