import Foundation
import VaultCore
import VaultStore
#if canImport(Glibc)
import Glibc
#endif

/// This host's `FleetWatermark`, in its state directory (`fleet-watermark`, mode 0600, the
/// directory owner's): read at every opening of a shared store and at each look of the
/// daemon's change follower (every 2 s), and moved on when a look finds the store has gone on
/// from it.
public struct FleetWatermarkFile: Sendable {
    public let path: String

    init(directory: StateDirectory) { path = directory.path + "/fleet-watermark" }

    /// Looks at `store`: refuses it when it shows less than this host saw (`FleetWatermark`),
    /// else records what it shows now. The first look records without refusing.
    func check(_ store: any VaultStorage) throws(ServiceError) {
        let last = try read()
        let seen: FleetWatermark.Observation
        do { seen = try Self.observe(store, at: last?.auditSeq) } catch { throw VaultService.map(error) }
        if let last, let why = last.rollback(in: seen) {
            throw .tampered("\(why): the database was restored from an older copy or changed behind the fleet's back, and this host "
                + "refuses to serve it. If the database was restored on purpose, remove \(path) on each host and start again")
        }
        let next = last.map { $0.advanced(to: seen) } ?? .first(seen)
        if next != last { write(next) }
    }

    /// A new vault: what the store shows is the start, whatever an earlier vault left here.
    func start(_ store: any VaultStorage) throws(ServiceError) {
        do { write(.first(try Self.observe(store, at: nil))) } catch { throw VaultService.map(error) }
    }

    static func observe(_ store: any VaultStorage, at seq: Int64?) throws -> FleetWatermark.Observation {
        try store.read { tx in
            let fleet = try VaultService.fleetTransaction(tx)
            // A standby not yet promoted may not have applied the primary's last commits, even
            // with synchronous replication: a shorter chain there is lag, not a rollback.
            if try fleet.readsAStandby() {
                throw StoreError.unavailable("the PostgreSQL server is a standby in recovery, not yet promoted")
            }
            let (vaultID, dekID) = try fleet.vaultIdentity()
            let head = try tx.auditHead()
            var atWatermark: Data?
            if let seq {
                atWatermark = seq == 0 ? AuditChain.genesis : try tx.auditEvents(after: seq - 1, limit: 1).first.flatMap { $0.seq == seq ? $0.mac : nil }
            }
            return FleetWatermark.Observation(vaultID: vaultID, headSeq: head.seq, headMAC: head.mac, macAtWatermark: atWatermark, dataKey: dekID)
        }
    }

    func read() throws(ServiceError) -> FleetWatermark? {
        guard let data = FileManager.default.contents(atPath: path) else {
            // Unreadable is not evidence of a rollback (a wrong owner, an I/O error): said so, and nothing is dropped.
            guard !FileManager.default.fileExists(atPath: path) else {
                throw .stateDirectory(path: path, problem: "this host's record of the fleet's database cannot be read; its owner "
                    + "and mode must let the vault's user read it")
            }
            return nil
        }
        do { return try JSONDecoder().decode(FleetWatermark.self, from: data) } catch {
            throw .tampered("\(path), this host's record of the fleet's database, is damaged; remove it to accept the database as it is now")
        }
    }

    /// Replaces the file whole (a new file renamed over it), owned like its directory. A write
    /// that fails keeps the older record, which still holds the host to what it saw before.
    func write(_ watermark: FleetWatermark) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(watermark) else { return }
        // A name of this writer's own: two commands at once each replace the file whole.
        let staged = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard case .success(let fd) = NewFile.create(staged, mode: 0o600) else { return }
        var dir = stat()
        let owned = stat((path as NSString).deletingLastPathComponent, &dir) == 0 && (getuid() != 0 || fchown(fd, dir.st_uid, dir.st_gid) == 0)
        let written = owned && data.withUnsafeBytes { NewFile.writeAll(fd, $0) }
        close(fd)
        if !written || rename(staged, path) != 0 { unlink(staged) }
    }
}
