import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto
@testable import VaultService

/// The JWT sessions in memory alone: what a request gets without a login, and which sessions
/// the refresher logs in again ahead of their expiry.
@Suite struct JWTSessionsTests {
    let id = try! AuthID("PA_MAIN")

    func session(token: String?, expiresAt: Int64, refreshAfter: Int64) throws -> JWTLive {
        var s = JWTLive()
        s.token = try token.map { t in try Array(t.utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }
        s.expiresAt = expiresAt
        s.refreshAfter = refreshAfter
        return s
    }

    func kind(_ c: JWTSessions.Cached) -> String {
        switch c {
        case .token: "token"
        case .refuse(let r): "refuse:" + r.type.rawValue
        case .login: "login"
        }
    }

    @Test func aRequestGetsTheTokenWhileItHasTimeLeftElseALoginOrARefusal() throws {
        var sessions = JWTSessions()
        #expect(kind(sessions.request(id, now: 100)) == "login", "nothing in memory")
        sessions[id] = try session(token: "jwt-1", expiresAt: 2000, refreshAfter: 1700)
        #expect(kind(sessions.request(id, now: 1000)) == "token")
        #expect(kind(sessions.request(id, now: 1800)) == "login", "past its refresh time")
        // Backing off after a network failure: the token with time left still serves, then nothing does.
        sessions[id]?.retryAt = 1900
        #expect(kind(sessions.request(id, now: 1800)) == "token")
        sessions[id]?.expiresAt = 1850
        #expect(kind(sessions.request(id, now: 1860)) == "refuse:upstream_unavailable", "expired while backing off")
        // Failing credentials refuse, once the token in hand is due, until an operator acts.
        sessions[id] = try session(token: "jwt-2", expiresAt: 2000, refreshAfter: 1700)
        sessions[id]?.failed = "invalid_credentials"
        #expect(kind(sessions.request(id, now: 1000)) == "token")
        #expect(kind(sessions.request(id, now: 1800)) == "refuse:upstream_unavailable")
    }

    @Test func theRefresherTakesSessionsInUseThatAreDueAndReleasesExpiredTokens() throws {
        var sessions = JWTSessions()
        sessions[id] = try session(token: "jwt-1", expiresAt: 2000, refreshAfter: 1700)
        #expect(sessions.due(now: 1800).isEmpty, "never used: not kept logged in")
        _ = sessions.request(id, now: 1000)
        #expect(sessions.due(now: 1600).isEmpty && sessions.due(now: 1800) == [id])
        #expect(sessions.due(now: 1000 + 3600).isEmpty, "unused for an hour")
        sessions[id]?.retryAt = 1900
        #expect(sessions.due(now: 1800).isEmpty, "waits out its backoff")
        sessions.releaseExpired(now: 2000 - JWTSessionRules.skew - 1)
        #expect(sessions[id]?.token != nil)
        sessions.releaseExpired(now: 2000 - JWTSessionRules.skew)
        #expect(sessions[id]?.token == nil && sessions.usable(id, now: 1) == nil)
        sessions.count("ok")
        sessions.count("ok")
        #expect(sessions.loginCounts == ["ok": 2])
    }
}
