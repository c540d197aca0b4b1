import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Installs `token` as the new active version. The old one stays `previous` until `grace`
    /// ends (config default), except after a compromise, when it is destroyed at once unless a
    /// grace is given explicitly: a leaked token must not keep validating callbacks.
    public func rotate(_ name: String, token: SecureBytes, reason: String?, grace: TimeSpan?,
                       actor: ActorIdentity) throws(ServiceError) -> RotationResult {
        let reason = try Self.checkedReason(reason)
        do { try token.withUnsafeBytes { (b) throws(CoreError) in try TokenRules.check(b) } } catch {
            throw .invalidInput(error.description)
        }
        let keys = try requireKeys()
        let now = self.now
        return try write { tx in
            var account = try resolve(name, in: tx)
            let id = try AuthID(account.authID)
            guard var old = try tx.activeVersion(of: try account.storedID), let sealed = old.ciphertext else {
                throw ServiceError.noActiveVersion(id.rawValue)
            }
            let current = try keys.open(sealed, .token(id, version: old.version), what: "token_versions row \(id) version \(old.version)")
            guard !current.constantTimeEquals(token) else { throw ServiceError.sameToken(id.rawValue) }
            let wasCompromised = account.state == .compromised
            let keep = grace ?? (wasCompromised ? TimeSpan(seconds: 0) : config.rotation.grace)

            old.status = keep.seconds > 0 ? .previous : .destroyed
            old.retiredAt = now
            old.destroyAfter = now + keep.seconds
            if keep.seconds == 0 {
                old.ciphertext = nil
                old.destroyedAt = now
            }
            try tx.update(old)
            let version = try tx.latestVersionNumber(of: try account.storedID) + 1
            let new = try insertVersion(token, account: account, version: version, source: .rotate, reason: reason,
                                        actor: actor, keys: keys, tx: tx, now: now)
            if account.state != .active {
                account.state = .active
                account.stateChangedAt = now
                account.stateReason = "rotated"
                try tx.update(account)
            }
            try audit(tx, op: "rotate", actor: actor, authID: id, version: version, reason: reason,
                      detail: ["fingerprint": new.fingerprint, "previous_version": old.version, "grace": keep.description])
            return RotationResult(authID: id, activeVersion: version, activeFingerprint: new.fingerprint,
                                  previousVersion: keep.seconds > 0 ? old.version : nil,
                                  previousDestroyAfter: keep.seconds > 0 ? old.destroyAfter : nil)
        }
    }

    /// Makes the newest `previous` version (still within its grace) active again; the version
    /// rolled back from becomes `previous` with the same deadline, so the step can be undone.
    public func rollback(_ name: String, reason: String?, actor: ActorIdentity) throws(ServiceError) -> RotationResult {
        let reason = try Self.checkedReason(reason)
        _ = try requireKeys()
        let now = self.now
        return try write { tx in
            let account = try resolve(name, in: tx)
            let id = try AuthID(account.authID)
            let versions = try tx.versions(of: try account.storedID)
            guard var back = versions.first(where: { $0.status == .previous && ($0.destroyAfter ?? 0) > now }) else {
                throw ServiceError.noPreviousVersion(id.rawValue)
            }
            guard var current = versions.first(where: { $0.status == .active }) else { throw ServiceError.noActiveVersion(id.rawValue) }
            current.status = .previous
            current.retiredAt = now
            current.destroyAfter = back.destroyAfter
            try tx.update(current)
            back.status = .active
            back.retiredAt = nil
            back.destroyAfter = nil
            try tx.update(back)
            try audit(tx, op: "rollback", actor: actor, authID: id, version: back.version, reason: reason,
                      detail: ["fingerprint": back.fingerprint, "rolled_back_version": current.version])
            return RotationResult(authID: id, activeVersion: back.version, activeFingerprint: back.fingerprint,
                                  previousVersion: current.version, previousDestroyAfter: current.destroyAfter)
        }
    }

    /// Marks a credential revoked (or compromised): it is used for nothing until rotated, and
    /// `remind` reports it until then.
    public func revoke(_ name: String, compromised: Bool, reason: String?, actor: ActorIdentity) throws(ServiceError) -> AccountInfo {
        let reason = try Self.checkedReason(reason)
        _ = try requireKeys()
        let now = self.now
        return try write { tx in
            var account = try resolve(name, in: tx)
            let id = try AuthID(account.authID)
            // Revoking again never forgets a compromise: the next rotation must still destroy the
            // leaked version at once.
            let state: AccountState = compromised || account.state == .compromised ? .compromised : .revoked
            account.state = state
            account.stateChangedAt = now
            account.stateReason = reason
            try tx.update(account)
            try audit(tx, op: "revoke", actor: actor, authID: id, reason: reason, detail: ["state": state.rawValue])
            guard let info = try tx.accountInfos(only: id).first else { throw ServiceError.unknownCredential(id.rawValue) }
            return info
        }
    }

    static func checkedReason(_ reason: String?) throws(ServiceError) -> String? {
        do { return try ReasonText.validated(reason) } catch { throw .invalidInput(error.description) }
    }

    /// Changes the label or the per-account rotation policy (nil leaves a field as it is;
    /// `resetPolicy` returns to the config defaults).
    public func edit(_ name: String, label: String?, maxAge: TimeSpan?, warn: TimeSpan?, resetPolicy: Bool,
                     actor: ActorIdentity) throws(ServiceError) -> AccountInfo {
        _ = try requireKeys()
        if let m = maxAge, m.seconds <= 0 { throw .invalidInput("the max age must be longer than 0") }
        if resetPolicy && (maxAge != nil || warn != nil) {
            throw .invalidInput("the default policy replaces the credential's own: give it without a max age or warn")
        }
        return try write { tx in
            var account = try resolve(name, in: tx)
            let id = try AuthID(account.authID)
            var detail: [String: any Sendable] = [:]
            if let label {
                account.label = try ImportRecord.validatedLabel(label)
                detail["label"] = account.label
            }
            if resetPolicy {
                account.maxAgeSeconds = nil
                account.warnSeconds = nil
                detail["policy"] = "default"
            }
            if let maxAge { account.maxAgeSeconds = maxAge.seconds; detail["max_age"] = maxAge.description }
            if let warn { account.warnSeconds = warn.seconds; detail["warn"] = warn.description }
            try tx.update(account)
            try audit(tx, op: "edit", actor: actor, authID: id, detail: detail)
            guard let info = try tx.accountInfos(only: id).first else { throw ServiceError.unknownCredential(id.rawValue) }
            return info
        }
    }

    /// Destroys (removes the ciphertext of) every `previous` version whose grace has ended, then
    /// truncates the WAL so the old bytes do not linger there. Returns how many were destroyed.
    @discardableResult
    public func destroyExpired(actor: ActorIdentity) throws(ServiceError) -> Int {
        guard keys != nil else { return 0 }
        let now = self.now
        // Looked up first: a write would drop the credential and token caches even when
        // nothing is due, and the daemon asks every few seconds.
        guard try read({ try $0.versionsPastGrace(now: now) }).count > 0 else { return 0 }
        let count: Int = try write { tx in
            let due = try tx.versionsPastGrace(now: now)
            for (account, var v) in due {
                v.status = .destroyed
                v.ciphertext = nil
                v.destroyedAt = now
                try tx.update(v)
                try audit(tx, op: "destroy", actor: actor, authID: try AuthID(account.authID), version: v.version,
                          reason: "grace ended", detail: ["fingerprint": v.fingerprint])
            }
            return due.count
        }
        if count > 0 {
            do { try store.checkpoint() } catch { throw .store(error.description) }
        }
        return count
    }
}
