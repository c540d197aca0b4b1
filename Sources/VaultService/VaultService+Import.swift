import Foundation
import VaultCore
import VaultCrypto
import VaultStore

extension VaultService {
    /// Parses operator input (JSON or CSV) held in locked memory and imports it.
    public func importInput(_ input: SecureBytes, format: ImportParser.Format?, actor: ActorIdentity,
                            source: TokenSource = .import) throws(ServiceError) -> ImportSummary {
        let records: [ImportRecord]
        do {
            records = try input.withUnsafeBytes { (b) throws(ImportParser.Failure) in try ImportParser.parse(b, format: format) }
        } catch {
            throw .invalidInput(error.description)
        }
        return try importRecords(records, actor: actor, source: source)
    }

    /// Imports all records in one transaction, or none. An identical token already in the vault
    /// is a no-op; a different one is refused with a pointer to `rotate`.
    public func importRecords(_ records: [ImportRecord], actor: ActorIdentity,
                              source: TokenSource = .import) throws(ServiceError) -> ImportSummary {
        // Every token of the input is wiped when the import ends, whatever ended it.
        defer { for r in records { r.token.wipe() } }
        let books = try writingBooks()
        let keys = books.keys
        let now = self.now
        let summary: ImportSummary = try write { tx in
            var summary = ImportSummary()
            let incomingPartner = records.first { $0.kind == .partner }
            if let p = incomingPartner, let existing = try tx.partner(), existing.authID != p.authID.rawValue {
                throw ServiceError.secondPartner(existing: existing.authID)
            }
            if records.filter({ $0.kind == .partner }).count > 1 {
                throw ServiceError.invalidInput("the input holds more than one partner credential; a vault holds one partner")
            }
            // The partner first, so customers of the same input can be linked to it.
            var partner = try tx.partner().flatMap { try? AuthID($0.authID) }
            var rows: [AuditEvent] = []
            rows.reserveCapacity(Self.auditChunk)
            for r in records.sorted(by: { $0.kind == .partner && $1.kind != .partner }) {
                if let existing = try tx.account(r.authID) {
                    summary.unchanged.append(try unchanged(existing, token: try Self.secure(r.token), keys: keys, tx: tx))
                    continue
                }
                var account = AccountRecord(authID: r.authID, label: r.label ?? "", parent: r.kind == .customer ? partner : nil, createdAt: now)
                try tx.insert(&account)
                // Sealed straight from the parse buffer, wiped at once: no locked copy per token
                // (an allocation with guard pages costs more than the rest of the import).
                defer { r.token.wipe() }
                let v = try r.token.withUnsafeBytes { b in
                    try books.insertVersion(bytes: b, account: account, version: 1, source: source, reason: nil, actor: actor, tx: tx)
                }
                rows.append(books.auditEvent(op: source.rawValue, actor: actor, authID: r.authID, version: 1,
                                             detail: ["fingerprint": v.fingerprint, "kind": r.kind.rawValue]))
                summary.imported.append(.init(authID: r.authID, kind: r.kind, version: 1, fingerprint: v.fingerprint))
                if rows.count == Self.auditChunk {
                    try tx.appendAudit(rows, using: keys.audit)
                    rows.removeAll(keepingCapacity: true)
                }
                if r.kind == .partner {
                    let orphans = try tx.accounts().filter { $0.kind == .customer && $0.parentAuthID == nil }
                    try tx.adoptOrphans(by: r.authID)
                    summary.linked = orphans.compactMap { try? AuthID($0.authID) }
                    partner = r.authID
                }
            }
            try tx.appendAudit(rows, using: keys.audit)
            return summary
        }
        return summary
    }

    /// Audit rows (one per credential) are chained a thousand at a time: the chain head is
    /// read and written once per thousand, and a large import holds no more rows than that.
    static let auditChunk = 1_000

    /// An existing account with the very same active token: nothing to do. Compared in
    /// constant time after opening the stored token.
    func unchanged(_ account: AccountRecord, token: SecureBytes, keys: VaultKeys, tx: any StoreTransaction) throws -> ImportSummary.Entry {
        let id = try AuthID(account.authID)
        guard let active = try tx.activeVersion(of: try account.storedID), let sealed = active.ciphertext else {
            throw ServiceError.noActiveVersion(id.rawValue)
        }
        let stored = try keys.open(sealed, .token(id, version: active.version), what: "token_versions row \(id) version \(active.version)")
        guard stored.constantTimeEquals(token) else { throw ServiceError.differentToken(id.rawValue) }
        return .init(authID: id, kind: id.kind, version: active.version, fingerprint: active.fingerprint)
    }

    /// Moves a parsed token into locked memory and wipes the parse buffer.
    static func secure(_ scratch: SecretScratch) throws -> SecureBytes {
        defer { scratch.wipe() }
        return try scratch.withUnsafeBytes { b in try SecureBytes(copying: b) }
    }
}
