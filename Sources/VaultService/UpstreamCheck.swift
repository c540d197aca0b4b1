import Foundation
import VaultCore
import VaultCrypto

/// `rotate --verify`: asks Vobiz whether a new token works before the vault commits to it.
public enum UpstreamCheck {
    /// The cheapest call each kind of credential may make.
    static func target(for id: AuthID) -> String {
        id.kind == .partner ? "/api/v1/partner/me" : "/api/v1/Account/\(id.rawValue)/"
    }

    /// Succeeds on a 2xx answer. 401/403 refuse; so does no usable answer (the operator may
    /// then rotate with `--no-verify`). Every outcome is audited.
    public static func verify(_ token: SecureBytes, of id: AuthID, service: VaultService, actor: ActorIdentity) async throws {
        // The token's form is checked before it is sent: a malformed token never reaches Vobiz, an
        // HTTP library's error message, or the audit log's verify row.
        do { try token.withUnsafeBytes { (b) throws(CoreError) in try TokenRules.check(b) } } catch {
            throw ServiceError.invalidInput("new token: \(error.description)")
        }
        let text = token.withUnsafeBytes { SecureTokenText(String(decoding: $0, as: UTF8.self)) }
        let status: Int
        do {
            status = try await service.withUpstreamClient { client in
                try await client.call(method: "GET", target: target(for: id), headers: [("Accept", "application/json")],
                                      authID: id, token: text).status
            }
        } catch {
            await service.noteVerification(authID: id, status: nil, actor: actor)
            throw ServiceError.verifyFailed("cannot verify the new token for \(id): \(UpstreamError.classify(error)); nothing changed (to rotate without checking: --no-verify, or verify false in the admin API)")
        }
        await service.noteVerification(authID: id, status: status, actor: actor)
        switch status {
        case 200..<300:
            return
        case 401, 403:
            throw ServiceError.verifyFailed("Vobiz refused the new token for \(id) (HTTP \(status)); nothing changed")
        default:
            throw ServiceError.verifyFailed("Vobiz answered HTTP \(status) to \(target(for: id)); the new token for \(id) is unverified and nothing changed (to rotate without checking: --no-verify, or verify false in the admin API)")
        }
    }
}
