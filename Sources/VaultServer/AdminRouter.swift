import Foundation
import NIOCore
import NIOHTTP1
import VaultCore
import VaultCrypto
import VaultService

/// The admin socket: the typed admin API (`AdminAPI`), `GET /metrics`, `GET /v1/health`.
/// Only uid 0 and members of `[sockets] admin_group` get past the door.
struct AdminRouter: AuditingRouter {
    let service: VaultService
    let metrics: DaemonMetrics
    let adminGID: UInt32?
    let reload: ConfigReload

    func auditOperation(_ path: Substring) -> AuditOperation { .admin }

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        let c = peer.caller
        guard c.uid == 0 || adminGID.map({ ([c.gid] + c.groups).contains($0) }) == true else {
            let refusal = Refusal(.notGranted, "the admin socket accepts root and members of the admin group only")
            await service.auditRefusal(caller: c, operation: .admin, method: request.method.rawValue, path: String(request.path), refusal)
            return Problem.response(refusal.type, refusal.detail)
        }
        let path = String(request.path)
        switch (request.method, path) {
        case (.GET, "/metrics"): return await scrape()
        case (.GET, "/v1/health"): return await Health.response(service)
        default:
            if let typed = await AdminAPI(service: service, reload: reload).respond(to: request, caller: c) { return typed }
            return Problem.response(.notFound, "no such endpoint: \(Echo.short(path, limit: 80))")
        }
    }

    func scrape() async -> VaultResponse { await MetricsRouter.scrape(service, metrics) }
}
