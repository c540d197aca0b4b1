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

extension AccountInfo {
    /// The listing's view of the accounts named in `ids`, in that order (those not in `accounts`
    /// left out), from the rows one page read: what every backend answers to `accountInfos(ids:)`.
    static func assemble(ids: [AuthID], accounts: [AccountRecord], versions: [TokenVersionRecord], sessions: [JWTSessionRecord],
                         logins: Set<Int64>) throws -> [AccountInfo] {
        let byID = Dictionary(accounts.map { ($0.authID, $0) }, uniquingKeysWith: { a, _ in a })
        let versionsOf = Dictionary(grouping: versions, by: \.accountID)
        let sessionOf = Dictionary(sessions.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        return try ids.compactMap { id in
            guard let a = byID[id.rawValue] else { return nil }
            let rowID = try RowID.stored(a.id)
            var info = try a.info(versions: (versionsOf[rowID] ?? []).sorted { $0.version > $1.version })
            let s = sessionOf[rowID]
            if s != nil || logins.contains(rowID) {
                info.jwt = JWTSessionInfo(state: s?.state.rawValue ?? "empty", issuedAt: s?.issuedAt, expiresAt: s?.expiresAt, lastRefreshAt: s?.lastRefreshAt,
                                          lastError: s?.lastError, hasLoginCredentials: logins.contains(rowID))
            }
            return info
        }
    }
}
