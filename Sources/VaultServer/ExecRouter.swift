import NIOCore
import NIOHTTP1
import VaultCore
import VaultService

/// The loopback listener of one `exec --proxy` session (Docs/proxy.md). Its program calls it as
/// it would call Vobiz (`VOBIZ_BASE_URL`); each call from the session's uid bearing the stand-in
/// token goes through the proxy with the session's credential, decided by the grants of the
/// caller who ran `exec` and audited as the program.
struct ExecRouter: Router {
    let session: ExecSession
    let proxy: ProxyRoute
    let service: VaultService
    let metrics: DaemonMetrics
    /// How long a call that arrives before the caller has named its program waits for that: as
    /// long as the caller has to name it.
    static let attachWait = ExecSession.attachDeadline

    func respond(to request: VaultRequest, peer: PeerContext) async -> VaultResponse {
        let start = ContinuousClock.now
        if let refusal = session.refusal(peerUID: peer.budgetUID, token: request.headers.first(name: "X-Auth-Token")) {
            metrics.request(.proxy, decision: "refused", since: start)
            let counted = await service.budgetedRefusal(refusal, caller: peer.caller, method: request.method.rawValue,
                                                        path: String(request.path), source: peer.tcpSource ?? "loopback")
            return ProxyRoute.refused(counted, tcp: true, metrics: metrics)
        }
        guard let child = await session.child(within: Self.attachWait) else {
            return await refused(request, Refusal(.notGranted, "the program of this exec session was not named in time, or the session has ended"))
        }
        guard request.uri.hasPrefix("/"), !request.uri.hasPrefix("//") else {
            return await refused(request, Refusal(.badRequest, "send the upstream path, e.g. GET /api/v1/Account/\(session.authID)/; this listener is not a forward proxy"))
        }
        let call = ProxyCall(method: request.method.rawValue, target: request.uri, credential: session.authID.rawValue, signature: nil,
                             bodySHA256: ProxyRoute.bodySHA256(request), signedOnly: false, child: child)
        return await proxy.forward(call, request, caller: session.opener, tcp: false, since: start)
    }

    /// A refusal of a call that bore the stand-in, audited as the caller's.
    func refused(_ request: VaultRequest, _ refusal: Refusal) async -> VaultResponse {
        metrics.request(.proxy, decision: "refused", since: .now)
        await service.auditRefusal(caller: session.opener, operation: .proxy, method: request.method.rawValue,
                                   path: String(request.path.prefix(200)), refusal)
        return Problem.response(refusal.type, refusal.detail)
    }
}
