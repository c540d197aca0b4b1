import Foundation
import Testing

/// A login answer whose lifetime is shorter than `[jwt] refresh_floor` plus the skew used to
/// make the daemon log in again about every second, with or without callers. Now logins are
/// at least the floor apart, callers are refused meanwhile with the reason, and `jwt status`
/// and `remind` say the lifetime is too short.
@Suite struct JWTFloorTests {
    @Test func aThreeSecondTokenIsNotALoginLoop() throws {
        let (d, mock, _) = try JWTTests.vault(lifetime: 3, floor: nil)
        defer { withExtendedLifetime((d, mock)) {} }
        let first = try JWTTests.jwt(d)
        // A 3 s token has less than the 5 s skew left at once: nothing to hand out.
        #expect(first.status == 502 && (first.answer["detail"] as? String ?? "").contains("too short"), "\(first.answer)")
        // Callers and the refresher for 4 s: still the one login.
        for _ in 0..<8 {
            let again = try JWTTests.jwt(d)
            #expect(again.status == 502 && (again.answer["detail"] as? String ?? "").contains("too short to serve until the next login"), "\(again.answer)")
            usleep(500_000)
        }
        #expect(try mock.logins() == 1, "logins are at least refresh_floor apart")
        let status = try JWTTests.status(d)
        #expect(status["lifetime_seconds"] as? Int == 3 && status["lifetime_too_short"] as? Bool == true, "\(status)")
        let table = try d.s.vv(["jwt", "status"] + d.cfg)
        #expect(table.out.contains("lifetime 3 s: too short to serve"), "\(table.out)")
        let remind = try d.s.vv(["remind", "--json"] + d.cfg)
        // Exit 2: the harness vault also holds a revoked customer; the JWT finding is a warning.
        #expect(remind.code == 2 && remind.out.contains("jwt_lifetime_short") && remind.out.contains("\"severity\" : \"WARNING\""), "\(remind.all)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    @Test func aLifetimeAboveTheFloorIsServedAndNotReported() throws {
        let (d, mock, _) = try JWTTests.vault(lifetime: 120, floor: nil)
        defer { withExtendedLifetime((d, mock)) {} }
        #expect(try JWTTests.jwt(d).status == 200)
        let status = try JWTTests.status(d)
        #expect(status["lifetime_seconds"] as? Int == 120 && status["lifetime_too_short"] as? Bool == false, "\(status)")
        let remind = try d.s.vv(["remind", "--json"] + d.cfg)
        #expect(!remind.out.contains("jwt_lifetime_short"), "\(remind.all)")
    }
}
