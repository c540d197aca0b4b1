import Foundation
import VaultCore
import VaultCrypto
import VaultStore

/// The fleet's hosts as a member sees and changes them (Docs/fleet.md): list, admit, remove.
/// Joining is `FleetJoin`, run on the new host.
extension VaultService {
    public func fleet() throws(ServiceError) -> FleetView {
        let host = try fleetHost()
        do {
            return try store.read { tx in
                let fleet = try Self.fleetTransaction(tx)
                let current = try fleet.vaultIdentity().dekID
                return FleetView(hosts: try fleet.keySlots().map { Self.view($0, currentDEK: current) }, thisHost: host,
                                 dataKeyFingerprint: keys?.checkFingerprint)
            }
        } catch { throw Self.map(error) }
    }

    /// Seals the data key to the pending slot of `host` once `fingerprint` is the fingerprint of
    /// its public key: a request slipped into the database by anyone else carries a key whose
    /// fingerprint the operator did not read off the joining host. A refusal is audited too.
    public func fleetAdmit(_ name: String, fingerprint: String, actor: ActorIdentity) throws(ServiceError) -> FleetView.Host {
        let keys = try keyring.require()
        let me = try fleetHost()
        let target: FleetHost
        do throws(CoreError) { target = try FleetHost(name) } catch { throw .invalidInput(error.description) }
        let typed: [UInt8]
        do throws(CoreError) { typed = try SlotFingerprint.parse(fingerprint) } catch { throw .invalidInput(error.description) }
        let outcome: Result<FleetView.Host, ServiceError> = try write { tx in
            let fleet = try Self.fleetTransaction(tx)
            guard var slot = try fleet.keySlot(target.name) else { return .failure(.unknownHost(target.name)) }
            let current = try fleet.vaultIdentity().dekID
            if slot.state == .active, slot.dekID == current {
                return .failure(.fleetConflict("\(target.name) is already a member of the fleet"))
            }
            let shown = SlotFingerprint.render(BoxKeyPair.fingerprint(of: [UInt8](slot.publicKey)))
            guard (try? SlotFingerprint.matches(SlotFingerprint.render(typed), digest: BoxKeyPair.fingerprint(of: [UInt8](slot.publicKey)))) == true else {
                // Not the request's own fingerprint either: the log is no place to copy it from.
                try audit(tx, op: "fleet-admit", actor: actor, outcome: .refused, reason: "fingerprint does not match the join request",
                          detail: ["host": target.name])
                // The request's own fingerprint is not shown: the operator must read it off the joining host.
                return .failure(.invalidInput("the fingerprint given is not the fingerprint of \(target.name)'s join request; "
                    + "compare it with what `fleet join` printed on that host, and remove a request you do not recognise"))
            }
            slot.sealedDEK = try SealedBox.seal(keys.dataKey, to: [UInt8](slot.publicKey))
            slot.memberMAC = keys.memberMAC(vaultID: try fleet.vaultIdentity().vaultID, host: slot.host, publicKey: slot.publicKey, dekID: current)
            slot.admittedBy = me
            try fleet.update(slot)
            try audit(tx, op: "fleet-admit", actor: actor, detail: ["host": target.name, "fingerprint": shown])
            var admitted = Self.view(slot, currentDEK: current)
            admitted.dataKeyFingerprint = keys.checkFingerprint
            return .success(admitted)
        }
        return try outcome.get()
    }

    /// Deletes the key slot of `host`: it can no longer open the data key from the store. The
    /// data key it already holds is cut out by `rekey --data-key`, which should follow.
    public func fleetRemove(_ name: String, actor: ActorIdentity) throws(ServiceError) -> [String: String] {
        _ = try keyring.require()
        let me = try fleetHost()
        do throws(CoreError) { _ = try FleetHost(name) } catch { throw .invalidInput(error.description) }
        guard name != me else { throw .invalidInput("refusing to remove this host's own key slot; run `fleet remove \(name)` on another member") }
        let removed: Bool = try write { tx in
            let fleet = try Self.fleetTransaction(tx)
            guard try fleet.deleteKeySlot(name) else { return false }
            try audit(tx, op: "fleet-remove", actor: actor, detail: ["host": name])
            return true
        }
        guard removed else { throw .unknownHost(name) }
        return ["host": name, "removed": "true", "next": "vobiz-vault rekey --data-key"]
    }

    func fleetHost() throws(ServiceError) -> String {
        guard let shared = sharedStore else {
            throw .invalidInput("this vault is not shared: fleets need [store] backend = \"postgres\" (Docs/fleet.md)")
        }
        return shared.settings.host
    }

    static func fleetTransaction(_ tx: any StoreTransaction) throws -> any FleetTransaction {
        guard let fleet = tx as? any FleetTransaction else { throw ServiceError.invalidInput("this vault's store keeps no key slots") }
        return fleet
    }

    static func view(_ s: KeySlotRecord, currentDEK: String) -> FleetView.Host {
        let state = switch (s.state, s.sealedDEK != nil) {
        case (.pending, false): "pending"
        case (_, true): "admitted"
        case (.active, false): s.dekID == currentDEK ? "active" : "stale"
        }
        return FleetView.Host(host: s.host, state: state, fingerprint: SlotFingerprint.render(BoxKeyPair.fingerprint(of: [UInt8](s.publicKey))),
                              requestedAt: s.createdAt, joinedAt: s.admittedAt, admittedBy: s.admittedBy, lastSeen: s.lastSeen)
    }
}
