import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

/// The proxy flow alone, on a real temporary vault, with a stub in place of Vobiz: the
/// decision, the credential attached, the 401 bookkeeping and the capture of a new customer.
@Suite(.serialized) struct ProxyFlowTests {
    /// Answers each call with the status and body it is given, and keeps what it was sent.
    final class StubVobiz: UpstreamSending {
        struct Sent: Sendable {
            let method: String, target: String, authID: String, token: String
        }
        let origin = "https://api.vobiz.ai"
        let answer: NIOLockedValueBox<(status: HTTPResponseStatus, body: String)?>
        let sent = NIOLockedValueBox<[Sent]>([])

        init(_ status: HTTPResponseStatus, _ body: String = "{}") { answer = NIOLockedValueBox((status, body)) }

        func send(method: String, target: String, headers: [(name: String, value: String)], body: ByteBuffer?,
                  authID: AuthID, token: SecureTokenText) async throws(UpstreamError) -> HTTPClientResponse {
            sent.withLockedValue { $0.append(Sent(method: method, target: target, authID: authID.rawValue, token: token.text)) }
            guard let a = answer.withLockedValue({ $0 }) else { throw .timeout(origin: origin) }
            return HTTPClientResponse(status: a.status, headers: ["Content-Type": "application/json"], body: .bytes(ByteBuffer(string: a.body)))
        }
    }

    let app = Caller(uid: 1000, gid: 1000, pid: 1, user: "app", groups: [], exe: nil, unit: nil, startTime: 1)

    func vault(_ f: Fixture) async throws -> VaultService {
        var c = f.config
        c.grants = [try Grant(name: "app", uids: [1000], credentials: [.partner, .anyCustomer], operations: [.proxy])]
        do { _ = try await f.importJSON(try f.initialize(), [("PA_P", f.token("p"), nil), ("MA_A", f.token("a"), nil)]) }
        let v = try VaultService.open(config: c, unlock: { _ in .key(f.key) }, clock: f.clock.source)
        try await v.prepareSigning(actor: f.actor)
        return v
    }

    func call(_ method: String, _ target: String) -> ProxyCall {
        ProxyCall(method: method, target: target, credential: nil, signature: nil,
                  bodySHA256: ProxyRules.emptyBodySHA256, signedOnly: false)
    }

    func forward(_ flow: ProxyFlow, _ c: ProxyCall, as caller: Caller? = nil) async -> ProxyFlow.Result {
        await flow.forward(c, caller: caller ?? app, headers: [("Accept", "application/json")], body: ByteBuffer())
    }

    @Test func theCredentialIsAttachedAndA401MarksItRejected() async throws {
        let f = try Fixture()
        let v = try await vault(f)
        let ok = StubVobiz(.ok)
        let flow = ProxyFlow(service: v, upstream: ok, maxBody: 1 << 20, logger: Logger(label: "test"))
        let r = await forward(flow, call("GET", "/api/v1/Account/MA_A/Call/"))
        guard case .passThrough = r.answer else { Issue.record("expected the answer passed through: \(r.answer)"); return }
        #expect(r.upstreamStatus == 200 && r.rejected == nil)
        #expect(ok.sent.withLockedValue { $0.map { "\($0.authID) \($0.token == f.token("a"))" } } == ["MA_A true"])

        let refused = StubVobiz(.unauthorized)
        let r401 = await forward(ProxyFlow(service: v, upstream: refused, maxBody: 1 << 20, logger: Logger(label: "test")),
                                 call("GET", "/api/v1/Account/MA_A/Call/"))
        #expect(r401.rejected?.rawValue == "MA_A" && r401.upstreamStatus == 401)
        #expect(try await v.show("MA_A").rejection != nil)
        // A success through the proxy clears it again.
        _ = await forward(flow, call("GET", "/api/v1/Account/MA_A/Call/"))
        #expect(try await v.show("MA_A").rejection == nil)
    }

    @Test func aRefusalSendsNothingAndAFailedCallIsUnavailable() async throws {
        let f = try Fixture()
        let v = try await vault(f)
        let stub = StubVobiz(.ok)
        let flow = ProxyFlow(service: v, upstream: stub, maxBody: 1 << 20, logger: Logger(label: "test"))
        let stranger = Caller(uid: 2000, gid: 2000, pid: 2, user: "x", groups: [], exe: nil, unit: nil, startTime: 1)
        guard case .refused(let refusal) = await forward(flow, call("GET", "/api/v1/Account/MA_A/Call/"), as: stranger).answer else {
            Issue.record("a caller without a grant was not refused")
            return
        }
        #expect(refusal.type == .notGranted && stub.sent.withLockedValue { $0.isEmpty })
        stub.answer.withLockedValue { $0 = nil }
        let r = await forward(flow, call("GET", "/api/v1/Account/MA_A/Call/"))
        guard case .unavailable(let why, _) = r.answer else { Issue.record("expected unavailable: \(r.answer)"); return }
        #expect(r.upstreamStatus == nil && !why.contains(f.canary))
    }

    @Test func aCreateAccountAnswerIsStoredAndReleasedWithoutItsToken() async throws {
        let f = try Fixture()
        let v = try await vault(f)
        let token = f.token("new-customer")
        let stub = StubVobiz(.ok, #"{"auth_id":"MA_NEW","auth_token":"\#(token)","api_id":"x"}"#)
        let flow = ProxyFlow(service: v, upstream: stub, maxBody: 1 << 20, logger: Logger(label: "test"))
        let r = await forward(flow, call("POST", CaptureRewrite.createAccountPath + "/"))
        guard case .whole(let status, let headers, let body) = r.answer else { Issue.record("expected a whole answer: \(r.answer)"); return }
        let text = String(buffer: body)
        #expect(status == .ok && !text.contains(token) && text.contains("MA_NEW"))
        #expect(headers.contains { $0.name == "X-Vault-Capture" && $0.value == "stored" })
        #expect(stub.sent.withLockedValue { $0.first?.authID } == "PA_P", "a create-account call goes out as the partner")
        #expect(try await v.show("MA_NEW").versions.first?.source == .capture)
    }
}
