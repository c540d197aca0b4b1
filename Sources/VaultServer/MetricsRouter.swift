import NIOCore
import VaultCore
import VaultService

/// `[metrics] listen`: Prometheus scrapes `GET /metrics` over loopback TCP, and that is all this
/// listener serves. The same figures are on the admin socket.
struct MetricsRouter: Router {
    let service: VaultService
    let metrics: DaemonMetrics

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        guard request.path == "/metrics" else { return Problem.response(.notFound, "this listener serves GET /metrics only") }
        guard request.method == .GET else { return Problem.response(.methodNotAllowed, "this listener serves GET /metrics only") }
        return await Self.scrape(service, metrics)
    }

    /// The Prometheus text of every figure, refreshed from the vault now.
    static func scrape(_ service: VaultService, _ metrics: DaemonMetrics) async -> VaultResponse {
        let audit = await service.auditStatus
        metrics.refresh(books: try? await service.tally(), now: service.clock.seconds,
                        auditPending: audit.pending, auditFailing: audit.failing, auditDropped: audit.dropped)
        metrics.jwtLogins(await service.jwtLoginCounts)
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        buffer.writeBytes(metrics.registry.emitToBuffer())
        return VaultResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: buffer)
    }
}
