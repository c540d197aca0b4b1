import Foundation

/// The rules behind `remind`: what about a credential must reach an operator, and how loudly.
public enum Reminders {
    public static func findings(for accounts: [AccountInfo], defaults: RotationPolicy,
                                jwt: JWTSessionRules = JWTSessionRules(refreshMargin: 300), now: Int64) -> [Finding] {
        accounts.sorted { $0.authID < $1.authID }.flatMap { findings(for: $0, defaults: defaults, jwt: jwt, now: now) }
    }

    static func findings(for a: AccountInfo, defaults: RotationPolicy, jwt rules: JWTSessionRules, now: Int64) -> [Finding] {
        func finding(_ s: Finding.Severity, _ k: Finding.Kind, _ m: String) -> Finding {
            Finding(severity: s, kind: k, authID: a.authID.rawValue, label: a.label, message: m)
        }
        var out: [Finding] = []
        switch a.state {
        case .revoked:
            out.append(finding(.critical, .revokedNotRotated,
                               "credential revoked\(since(a.stateChangedAt)) and not rotated; run `vobiz-vault rotate \(a.authID)`"))
        case .compromised:
            out.append(finding(.critical, .compromisedNotRotated,
                               "credential marked compromised\(since(a.stateChangedAt)) and not rotated; reissue it in the Vobiz console, then run `vobiz-vault rotate \(a.authID)`"))
        case .active:
            break
        }
        if let r = a.rejection {
            out.append(finding(.critical, .upstreamRejected,
                               "Vobiz rejected this token (401, on \(r.by)) since \(Timestamp.iso(r.at)); if it was reissued in the console, run `vobiz-vault rotate \(a.authID)`"))
        }
        if let j = a.jwt, j.state == "failed" {
            out.append(finding(.critical, .jwtLoginFailing,
                               "JWT login failing (\(j.lastError ?? "unknown error")); run `vobiz-vault login-credentials set \(a.authID)` or `vobiz-vault jwt login`"))
        }
        if let j = a.jwt, j.state == "valid", let lifetime = j.lifetime, rules.tooShort(lifetime: lifetime) {
            out.append(finding(.warning, .jwtLifetimeShort,
                               "JWT lifetime of \(lifetime) s is too short to serve: logins are at least \(rules.refreshFloor) s apart ([jwt] refresh_floor), so callers are refused until the next one; check the login answer's expires_in with Vobiz"))
        }
        guard let schedule = a.schedule(defaults: defaults, now: now) else {
            out.append(finding(.critical, .noActiveToken, "no active token version; import or rotate one"))
            return out
        }
        switch schedule.standing {
        case .overdue:
            out.append(finding(.critical, .rotationOverdue,
                               "rotation overdue by \(plural(schedule.daysOverdue, "day")) (was due \(Timestamp.date(schedule.dueAt)))"))
        case .due:
            out.append(finding(.warning, .rotationDue,
                               "rotation due in \(plural(schedule.daysUntilDue, "day")) (on \(Timestamp.date(schedule.dueAt)))"))
        case .ok:
            break
        }
        return out
    }

    /// The vault's own findings: the master key's age against `[rotation] master_key_max_age`
    /// (warned `warn` ahead), and the audit chain's verdict when it could be checked.
    public static func vaultFindings(masterKeySetAt: Int64, maxAge: TimeSpan, warn: TimeSpan, now: Int64,
                                     audit: AuditChain.Verdict?) -> [Finding] {
        var out: [Finding] = []
        let due = masterKeySetAt + maxAge.seconds
        if now >= due {
            out.append(Finding(severity: .critical, kind: .masterKeyOverdue, authID: "vault", label: "master key",
                               message: "master key set on \(Timestamp.date(masterKeySetAt)) is older than \(maxAge) (was due \(Timestamp.date(due))); run `vobiz-vault rekey --new-key-file FILE`"))
        } else if now >= due - warn.seconds {
            out.append(Finding(severity: .warning, kind: .masterKeyDue, authID: "vault", label: "master key",
                               message: "master key rotation due on \(Timestamp.date(due)) (set \(Timestamp.date(masterKeySetAt)), max age \(maxAge))"))
        }
        if let audit, case .broken = audit {
            out.append(Finding(severity: .critical, kind: .auditBroken, authID: "vault", label: "audit log",
                               message: "audit log does not verify: \(audit); see `vobiz-vault audit verify`"))
        }
        return out
    }

    static func since(_ t: Int64?) -> String { t.map { " on \(Timestamp.date($0))" } ?? "" }

    public static func plural(_ n: Int64, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }
}
