import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// Rotation, rollback, revocation and edits: each runs in the caller's write transaction, so
/// the change and its audit row commit together or not at all.
extension Books {
    /// Installs `token` as the new active version. The old one stays `previous` until `grace`
    /// ends (config default), except after a compromise, when it is destroyed at once unless a
    /// grace is given explicitly: a leaked token must not keep validating callbacks.
    func rotate(_ name: String, token: SecureBytes, reason: String?, grace: TimeSpan?,
                actor: ActorIdentity, tx: any StoreTransaction) throws -> RotationResult {
        let reason = try Self.checkedReason(reason)
        do { try token.withUnsafeBytes { (b) throws(CoreError) in try TokenRules.check(b) } } catch {
            throw ServiceError.invalidInput(error.description)
        }
        let now = self.now
        var account = try resolve(name, in: tx)
        let id = try AuthID(account.authID)
        guard var old = try tx.activeVersion(of: try account.storedID), let sealed = old.ciphertext else {
            throw ServiceError.noActiveVersion(id.rawValue)
        }
        let current = try keys.open(sealed, .token(id, version: old.version), what: "token_versions row \(id) version \(old.version)")
        guard !current.constantTimeEquals(token) else { throw ServiceError.sameToken(id.rawValue) }
        let wasCompromised = account.state == .compromised
        let keep = grace ?? (wasCompromised ? TimeSpan(seconds: 0) : rotation.grace)

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
                                    actor: actor, tx: tx)
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

    /// Makes the newest `previous` version (still within its grace) active again; the version
    /// rolled back from becomes `previous` with the same deadline, so the step can be undone.
    func rollback(_ name: String, reason: String?, actor: ActorIdentity, tx: any StoreTransaction) throws -> RotationResult {
        let reason = try Self.checkedReason(reason)
        let now = self.now
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

    /// Marks a credential revoked (or compromised): it is used for nothing until rotated, and
    /// `remind` reports it until then.
    func revoke(_ name: String, compromised: Bool, reason: String?, actor: ActorIdentity,
                tx: any StoreTransaction) throws -> AccountInfo {
        let reason = try Self.checkedReason(reason)
        let now = self.now
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

    /// Changes the label or the per-account rotation policy (nil leaves a field as it is;
    /// `resetPolicy` returns to the config defaults).
    func edit(_ name: String, label: String?, maxAge: TimeSpan?, warn: TimeSpan?, resetPolicy: Bool,
              actor: ActorIdentity, tx: any StoreTransaction) throws -> AccountInfo {
        try Self.checkEdit(maxAge: maxAge, warn: warn, resetPolicy: resetPolicy)
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

    /// What `edit` refuses before it opens a transaction.
    static func checkEdit(maxAge: TimeSpan?, warn: TimeSpan?, resetPolicy: Bool) throws(ServiceError) {
        if let m = maxAge, m.seconds <= 0 { throw .invalidInput("the max age must be longer than 0") }
        if resetPolicy && (maxAge != nil || warn != nil) {
            throw .invalidInput("the default policy replaces the credential's own: give it without a max age or warn")
        }
    }

    static func checkedReason(_ reason: String?) throws(ServiceError) -> String? {
        do { return try ReasonText.validated(reason) } catch { throw .invalidInput(error.description) }
    }
}
