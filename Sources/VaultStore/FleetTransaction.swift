/// The storage API of a store that several hosts share (PostgreSQL): key slots and the change
/// sequence, beside everything a `StoreTransaction` does.
public protocol FleetTransaction: StoreTransaction {
    /// This host's name, as its slot, its changes and its audit rows carry it.
    var host: String { get }
    /// The vault's id and the id of its current data key, readable before this host has a slot.
    func vaultIdentity() throws -> (vaultID: String, dekID: String)
    /// Whether the server is a standby still in recovery, whose view may lag the primary's commits.
    func readsAStandby() throws -> Bool
    func keySlot(_ host: String) throws -> KeySlotRecord?
    /// Oldest first.
    func keySlots() throws -> [KeySlotRecord]
    func insert(_ slot: KeySlotRecord) throws
    func update(_ slot: KeySlotRecord) throws
    @discardableResult func deleteKeySlot(_ host: String) throws -> Bool
    /// Up to `limit` changes after `seq`, ascending.
    func changes(after seq: Int64, limit: Int) throws -> [StoreChange]
    /// The last change's sequence number (0 before any).
    func lastChange() throws -> Int64
    /// The hosts other than this one with a session open on the database now (each host names
    /// its connections after itself), sorted.
    func connectedHosts() throws -> [String]
}
