import VaultCore

extension AccountRecord {
    /// Converts the row and its versions to the domain view; a row SQLite's constraints would
    /// never admit is reported, not guessed at.
    func info(versions: [TokenVersionRecord]) throws -> AccountInfo {
        let id: AuthID
        do { id = try AuthID(authID) } catch { throw StoreError.constraint("accounts row \(self.id ?? 0) has an invalid auth_id") }
        return AccountInfo(authID: id, kind: kind, label: label, parent: parentAuthID.flatMap { try? AuthID($0) },
                           state: state, stateChangedAt: stateChangedAt, stateReason: stateReason,
                           maxAge: maxAgeSeconds.map(TimeSpan.init(seconds:)), warn: warnSeconds.map(TimeSpan.init(seconds:)),
                           createdAt: createdAt, versions: versions.map(\.info),
                           rejection: rejectedAt.map { UpstreamRejection(at: $0, by: rejectedBy ?? "proxy") })
    }
}
