import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Re-protects the vault. With `newMaster`, the data key is rewrapped under the new master
    /// key (one row changes). With `newDataKey`, a fresh data key replaces the old one: every
    /// secret is re-encrypted, every fingerprint recomputed and the audit chain re-MACed, in one
    /// transaction, after the chain verified under the old key. Returns the new vault status.
    public func rekey(newMaster: MasterKeyInput?, newDataKey: Bool, actor: ActorIdentity,
                      kdfParameters: PassphraseKDFParameters? = nil) async throws(ServiceError) -> VaultStatus {
        // Audit rows queued or on their way are MACed with the current key: commit them all
        // first. From here on nothing suspends, so no new batch starts before the switch.
        await settleAudit()
        guard !auditLog.flushing else { throw .store("an audit commit is still in progress; retry the rekey") }
        let old = try requireKeys()
        guard newMaster != nil || newDataKey else {
            throw .invalidInput("nothing to do: give a new master key and/or ask for a new data key")
        }
        if newDataKey, case .broken(let seq, let problem) = try verifyChain() {
            throw .auditBroken("row \(seq): \(problem.explanation)")
        }
        let now = self.now
        let (kek, params): (SecureBytes?, PassphraseKDFParameters?)
        do {
            if let newMaster { (kek, params) = try Self.deriveKEK(newMaster, parameters: kdfParameters) } else { (kek, params) = (nil, nil) }
        } catch { throw Self.map(error) }
        let dataKey: SecureBytes
        let fresh: VaultKeys
        do {
            dataKey = newDataKey ? try SecureBytes.random(count: 32) : old.dataKey
            fresh = newDataKey ? try VaultKeys(dataKey: dataKey) : old
        } catch { throw .crypto(error.description) }

        try write { tx in
            var meta = try tx.meta()
            let oldDEKID = meta.dekID
            if newDataKey {
                try reseal(tx, from: old, to: fresh)
                try tx.remacAudit(using: fresh.audit)
                meta.dekID = Self.newID()
                meta.dekCreatedAt = now
            }
            let wrappingKey = try kek ?? currentKEK(meta)
            meta.wrappedDEK = try AEAD.seal(dataKey, key: wrappingKey, associatedData: SecretBinding.dataKey(vaultID: meta.vaultID).associatedData)
            if newMaster != nil {
                meta.kekKind = params == nil ? .key : .passphrase
                meta.kdfSalt = params?.salt
                meta.kdfOpsLimit = params.map { Int64($0.opsLimit) }
                meta.kdfMemLimit = params.map { Int64($0.memLimit) }
                meta.kekID = Self.newID()
                meta.kekSetAt = now
            }
            try tx.updateMeta(meta)
            let refused = newDataKey
                ? try sealToOtherMembers(tx, dataKey: dataKey, from: old, to: fresh, vaultID: meta.vaultID, oldDEKID: oldDEKID, dekID: meta.dekID)
                : []
            var detail: [String: String] = ["master_key": newMaster?.kindName ?? "unchanged", "data_key": newDataKey ? "replaced" : "unchanged"]
            // Slots no member vouched for (put there by a writer of the database) get nothing.
            if !refused.isEmpty { detail["unvouched_slots"] = refused.joined(separator: ",") }
            let event = AuditEvent(seq: 0, atMillis: clock.millis, actor: actor, op: "rekey",
                                   authID: nil, version: nil, outcome: .ok, reason: nil,
                                   detail: AuditDetail.json(detail))
            try tx.appendAudit(event, using: fresh.audit)
        }
        // A running daemon goes on with the new keys at once.
        keyring.install(fresh, masterKey: kek)
        if newDataKey { sharedStore?.holdDataKey(try read { try $0.meta().dekID }) }
        credentialCache.removeAll()
        tokenCache.removeAll()
        do { try store.checkpoint() } catch { throw .store(error.description) }
        return try status()
    }

    func currentKEK(_ meta: VaultMetaRecord) throws -> SecureBytes {
        guard let masterKey = keyring.masterKey else { throw ServiceError.masterKeyRequired(kind: "the current master key") }
        return masterKey
    }

    /// Re-encrypts every sealed token under the new keys, recomputing fingerprints. A row that
    /// does not open aborts the whole rekey, naming the row.
    func reseal(_ tx: any StoreTransaction, from old: VaultKeys, to new: VaultKeys) throws {
        let authIDs = Dictionary(try tx.accounts().map { (try $0.storedID, $0.authID) }, uniquingKeysWith: { a, _ in a })
        for var login in try tx.allLoginCredentials() {
            let id = try AuthID(authIDs[login.accountID] ?? "")
            let secret = try old.open(login.ciphertext, .loginCredentials(id), what: "login_credentials row \(id)")
            login.ciphertext = try new.seal(secret, .loginCredentials(id))
            try tx.save(&login)
        }
        for var session in try tx.sessions() {
            guard let sealed = session.ciphertext else { continue }
            let id = try AuthID(authIDs[session.accountID] ?? "")
            let token = try old.open(sealed, .jwtSession(id), what: "jwt_sessions row \(id)")
            session.ciphertext = try new.seal(token, .jwtSession(id))
            try tx.save(&session)
        }
        for var k in try tx.signingKeys() {
            let binding = SecretBinding.signingSeed(kid: k.kid)
            let seed = try old.open(k.sealedSeed, binding, what: "signing_keys row \(k.kid)")
            k.sealedSeed = try new.seal(seed, binding)
            try tx.update(k)
        }
        for (account, var v) in try tx.sealedVersions() {
            let id = try AuthID(account.authID)
            let binding = SecretBinding.token(id, version: v.version)
            let token = try old.open(v.ciphertext!, binding, what: "token_versions row \(id) version \(v.version)")
            v.ciphertext = try new.seal(token, binding)
            v.fingerprint = try new.fingerprintOf(token)
            try tx.update(v)
        }
    }
}
