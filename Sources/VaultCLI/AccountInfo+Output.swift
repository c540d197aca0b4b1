import Foundation
import VaultCore

/// The stable shapes of credential metadata in `--json` output and in text.
extension AccountInfo {
    func json(defaults: RotationPolicy, now: Int64, withVersions: Bool) -> [String: Any] {
        let active = activeVersion
        let schedule = self.schedule(defaults: defaults, now: now)
        let p = policy(defaults: defaults)
        var o: [String: Any] = [
            "auth_id": authID.rawValue,
            "kind": kind.rawValue,
            "label": label,
            "parent": JSONOutput.opt(parent?.rawValue),
            "state": state.rawValue,
            "state_changed_at": JSONOutput.opt(stateChangedAt.map(Timestamp.iso)),
            "state_reason": JSONOutput.opt(stateReason),
            "created_at": Timestamp.iso(createdAt),
            "active_version": JSONOutput.opt(active?.version),
            "fingerprint": JSONOutput.opt(active?.fingerprint),
            "activated_at": JSONOutput.opt((active?.activatedAt).map(Timestamp.iso)),
            "rotation": [
                "max_age": p.maxAge.description,
                "warn": p.warn.description,
                "policy": maxAge == nil && warn == nil ? "default" : "account",
                "due_at": JSONOutput.opt(schedule.map { Timestamp.iso($0.dueAt) }),
                "standing": JSONOutput.opt(schedule?.standing.rawValue),
                "seconds_until_due": JSONOutput.opt(schedule?.secondsUntilDue),
            ] as [String: Any],
            "versions_count": versions.count,
            "upstream_rejected": JSONOutput.opt(rejection.map { ["at": Timestamp.iso($0.at), "by": $0.by] as [String: Any] }),
        ]
        if withVersions { o["versions"] = versions.map(\.json) }
        return o
    }

    var labelOrDash: String { label.isEmpty ? "-" : label }

    /// The state column of `list`: the account state, flagged when Vobiz refused the token.
    var stateText: String { rejection == nil ? state.rawValue : state.rawValue + " (rejected)" }
}

extension TokenVersionInfo {
    var json: [String: Any] {
        [
            "version": version,
            "status": status.rawValue,
            "fingerprint": fingerprint,
            "source": source.rawValue,
            "created_at": Timestamp.iso(createdAt),
            "activated_at": JSONOutput.opt(activatedAt.map(Timestamp.iso)),
            "retired_at": JSONOutput.opt(retiredAt.map(Timestamp.iso)),
            "destroy_after": JSONOutput.opt(destroyAfter.map(Timestamp.iso)),
            "destroyed_at": JSONOutput.opt(destroyedAt.map(Timestamp.iso)),
            "actor": JSONOutput.opt(actor?.user),
            "actor_uid": JSONOutput.opt(actor.map { Int($0.uid) }),
            "reason": JSONOutput.opt(reason),
        ]
    }
}
