import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// The data key across a fleet: `rekey --data-key` on one host seals the new key to every other
/// member's slot; each takes it when it sees the change, and a host whose slot was removed
/// drops the keys it holds (Docs/fleet.md).
extension VaultService {
    /// In the rekey's transaction: the new data key sealed to each other active member, with a
    /// proof under the old key that a holder of it sealed this one.
    /// Only slots a member vouched for under the old key receive it (`KeySlotRecord.memberMAC`);
    /// the others are answered, to be audited, and get nothing.
    @discardableResult
    func sealToOtherMembers(_ tx: any StoreTransaction, dataKey: SecureBytes, from old: VaultKeys, to fresh: VaultKeys,
                            vaultID: String, oldDEKID: String, dekID: String) throws -> [String] {
        guard let fleet = tx as? any FleetTransaction else { return [] }
        var refused: [String] = []
        for var slot in try fleet.keySlots() where slot.state == .active {
            guard slot.host == fleet.host || old.vouches(for: slot, vaultID: vaultID, dekID: oldDEKID) else {
                refused.append(slot.host)
                continue
            }
            slot.memberMAC = fresh.memberMAC(vaultID: vaultID, host: slot.host, publicKey: slot.publicKey, dekID: dekID)
            if slot.host != fleet.host {
                slot.sealedDEK = try SealedBox.seal(dataKey, to: [UInt8](slot.publicKey))
                slot.dekProof = old.handOverProof(to: fresh, vaultID: vaultID, host: slot.host, dekID: dekID)
            }
            try fleet.update(slot)
        }
        return refused
    }

    /// After another host replaced the data key: takes the one sealed to this host (checked
    /// against the fleet's audit chain) and goes on with it; drops its keys when its slot is gone.
    func followDataKey() throws(ServiceError) {
        guard let shared = sharedStore, let kek = keyring.masterKey, keys != nil else { return }
        let host = shared.settings.host
        do {
            let taken: (VaultKeys, String)? = try shared.writeTakingDataKey { tx in
                let fleet = try Self.fleetTransaction(tx)
                let (vaultID, dekID) = try fleet.vaultIdentity()
                guard let slot = try fleet.keySlot(host) else { throw StoreError.noKeySlot(host: host) }
                guard slot.dekID != dekID else { return nil }
                guard slot.sealedDEK != nil else { throw StoreError.staleKeySlot(host: host) }
                return try takeSealedKey(slot, fleet: fleet, vaultID: vaultID, dekID: dekID, kek: kek, held: try keyring.require())
            }
            guard let (fresh, dekID) = taken else { return }
            keyring.install(fresh, masterKey: nil)
            shared.holdDataKey(dekID)
            credentialCache.removeAll()
            tokenCache.removeAll()
            // The replaced key is remembered: a database put back to it is refused from now on.
            try? FleetWatermarkFile(directory: directory).check(store)
        } catch StoreError.noKeySlot {
            // Removed from the fleet: nothing more is opened or written with the old key.
            keyring.drop()
            shared.holdDataKey(nil)
            credentialCache.removeAll()
            tokenCache.removeAll()
        } catch {
            throw Self.map(error)
        }
    }

    private func takeSealedKey(_ slot: KeySlotRecord, fleet: any FleetTransaction, vaultID: String, dekID: String,
                               kek: SecureBytes, held: VaultKeys) throws -> (VaultKeys, String) {
        var slot = slot
        let binding = SecretBinding.slotSecret(vaultID: vaultID, host: slot.host).associatedData
        let pair = try BoxKeyPair(secretKey: try AEAD.open(slot.sealedSecret, key: kek, associatedData: binding))
        let dataKey = try SealedBox.open(slot.sealedDEK ?? Data(), with: pair)
        let fresh = try VaultKeys(dataKey: dataKey)
        // Only a holder of the key being replaced can prove it sealed the new one: a key sealed to
        // this host by a database writer is refused, and this host keeps the one it holds.
        guard let proof = slot.dekProof,
              held.audit.equal(held.handOverProof(to: fresh, vaultID: vaultID, host: slot.host, dekID: dekID), proof) else {
            throw ServiceError.tampered("the data key sealed to \(slot.host) carries no proof from a holder of the key it replaces; refused")
        }
        slot.wrappedDEK = try AEAD.seal(dataKey, key: kek, associatedData: SecretBinding.dataKey(vaultID: vaultID).associatedData)
        slot.dekID = dekID
        slot.sealedDEK = nil
        try fleet.update(slot)
        return (fresh, dekID)
    }
}
