import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Installs `token` as the new active version (`Books.rotate`).
    public func rotate(_ name: String, token: SecureBytes, reason: String?, grace: TimeSpan?,
                       actor: ActorIdentity) throws(ServiceError) -> RotationResult {
        let books = try writingBooks()
        return try write { tx in try books.rotate(name, token: token, reason: reason, grace: grace, actor: actor, tx: tx) }
    }

    /// Makes the newest `previous` version active again (`Books.rollback`).
    public func rollback(_ name: String, reason: String?, actor: ActorIdentity) throws(ServiceError) -> RotationResult {
        let books = try writingBooks()
        return try write { tx in try books.rollback(name, reason: reason, actor: actor, tx: tx) }
    }

    /// Marks a credential revoked or compromised (`Books.revoke`).
    public func revoke(_ name: String, compromised: Bool, reason: String?, actor: ActorIdentity) throws(ServiceError) -> AccountInfo {
        let books = try writingBooks()
        return try write { tx in try books.revoke(name, compromised: compromised, reason: reason, actor: actor, tx: tx) }
    }

    /// The books for a change: the keys are required.
    func writingBooks() throws(ServiceError) -> Books {
        Books(keys: try requireKeys(), rotation: config.rotation, clock: clock)
    }

    /// Changes the label or the per-account rotation policy (`Books.edit`).
    public func edit(_ name: String, label: String?, maxAge: TimeSpan?, warn: TimeSpan?, resetPolicy: Bool,
                     actor: ActorIdentity) throws(ServiceError) -> AccountInfo {
        let books = try writingBooks()
        try Books.checkEdit(maxAge: maxAge, warn: warn, resetPolicy: resetPolicy)
        return try write { tx in
            try books.edit(name, label: label, maxAge: maxAge, warn: warn, resetPolicy: resetPolicy, actor: actor, tx: tx)
        }
    }

    /// Whether any version's grace has ended, to be asked off the actor: the daemon's timer on a
    /// shared store looks there first, so a store gone silent holds its thread, not the requests.
    public func pastGraceCheck() -> PastGraceCheck { PastGraceCheck(store: store, now: now) }

    /// Destroys (removes the ciphertext of) every `previous` version whose grace has ended, then
    /// truncates the WAL so the old bytes do not linger there. Returns how many were destroyed.
    @discardableResult
    public func destroyExpired(actor: ActorIdentity) throws(ServiceError) -> Int {
        guard keys != nil else { return 0 }
        let now = self.now
        // Looked up first: a write would drop the credential and token caches even when
        // nothing is due, and the daemon asks every few seconds.
        guard try read({ try $0.versionsPastGrace(now: now) }).count > 0 else {
            if checkpointOwed { checkpoint() }
            return 0
        }
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
        if count > 0 { checkpoint() }
        return count
    }
}
