import NIOCore
import VaultCore
import VaultService

/// RFC 9457 problem details with the stable type suffixes of Docs/api.md.
enum Problem {
    static func body(_ type: ProblemType, _ detail: String) -> ByteBuffer {
        let w = JSONWriter()
        w.object {
            w.field("type") { w.string(type.uri) }
            w.field("title") { w.string(type.title) }
            w.field("status") { w.raw(String(type.status)) }
            w.field("detail") { w.string(detail) }
            if let id = RequestID.current { w.field("request_id") { w.string(id) } }
        }
        return w.buffer
    }

    /// 429 and 503 say when to come back: a second is enough for a refusal budget or a store
    /// that is reconnecting.
    static func response(_ type: ProblemType, _ detail: String) -> VaultResponse {
        var r = VaultResponse(status: .init(statusCode: type.status), contentType: "application/problem+json", body: body(type, detail))
        if type.status == 429 || type.status == 503 { r.headers.replaceOrAdd(name: "Retry-After", value: "1") }
        return r
    }
}
