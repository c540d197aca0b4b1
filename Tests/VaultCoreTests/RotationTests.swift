import Testing
@testable import VaultCore

@Suite struct RotationTests {
    let policy = RotationPolicy(maxAge: .days(90), warn: .days(14))
    let day: Int64 = 86_400

    @Test func standingMovesFromOkToDueToOverdue() {
        let t0: Int64 = 1_000_000_000
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0).standing == .ok)
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 76 * day - 1).standing == .ok)
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 76 * day).standing == .due)
        let due = RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 85 * day + 3600)
        #expect(due.standing == .due)
        #expect(due.daysUntilDue == 5)
        let overdue = RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 93 * day + 10)
        #expect(overdue.standing == .overdue)
        #expect(overdue.daysOverdue == 3)
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 90 * day).standing == .overdue)
    }

    @Test func explicitWindowOverridesWarn() {
        let t0: Int64 = 0
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0, window: .days(100)).standing == .due)
        #expect(RotationSchedule(activatedAt: t0, policy: policy, now: t0 + 80 * day, window: .days(1)).standing == .ok)
    }

    func account(_ id: String, state: AccountState = .active, activated: Int64 = 0, maxAge: TimeSpan? = nil,
                 label: String = "Acme", versions: Bool = true) throws -> AccountInfo {
        let v = TokenVersionInfo(version: 1, status: .active, fingerprint: "00", source: .import, createdAt: activated,
                                 activatedAt: activated, retiredAt: nil, destroyAfter: nil, destroyedAt: nil, actor: nil, reason: nil)
        return AccountInfo(authID: try AuthID(id), kind: try AuthID(id).kind, label: label, parent: nil, state: state,
                           stateChangedAt: state == .active ? nil : 0, stateReason: nil, maxAge: maxAge, warn: nil,
                           createdAt: 0, versions: versions ? [v] : [])
    }

    @Test func remindersAndExitCodes() throws {
        let now = 100 * day
        let fresh = try account("MA_FRESH", activated: now)
        let soon = try account("MA_SOON", activated: now - 80 * day)
        let late = try account("MA_LATE", activated: now - 95 * day, label: "")
        let revoked = try account("MA_REV", state: .revoked, activated: now)
        let compromised = try account("MA_COMP", state: .compromised, activated: now)
        let ownPolicy = try account("MA_OWN", activated: now - 10 * day, maxAge: .days(5))

        #expect(Reminders.findings(for: [fresh], defaults: policy, now: now).isEmpty)
        #expect(Finding.exitCode(for: Reminders.findings(for: [fresh], defaults: policy, now: now)) == 0)

        let s = Reminders.findings(for: [soon, fresh], defaults: policy, now: now)
        #expect(s.map(\.kind) == [.rotationDue])
        #expect(s[0].line == "WARNING MA_SOON Acme: rotation due in 10 days (on 1970-04-21)")
        #expect(Finding.exitCode(for: s) == 1)

        let l = Reminders.findings(for: [late], defaults: policy, now: now)
        #expect(l[0].line == "CRITICAL MA_LATE -: rotation overdue by 5 days (was due 1970-04-06)")
        #expect(Finding.exitCode(for: l + s) == 2)

        #expect(Reminders.findings(for: [revoked], defaults: policy, now: now).map(\.kind) == [.revokedNotRotated])
        #expect(Reminders.findings(for: [compromised], defaults: policy, now: now).map(\.kind) == [.compromisedNotRotated])
        #expect(Finding.exitCode(for: Reminders.findings(for: [revoked], defaults: policy, now: now)) == 2)
        #expect(Reminders.findings(for: [ownPolicy], defaults: policy, now: now).map(\.kind) == [.rotationOverdue])
        #expect(Reminders.findings(for: [try account("MA_NONE", versions: false)], defaults: policy, now: now).map(\.kind) == [.noActiveToken])
    }
}
