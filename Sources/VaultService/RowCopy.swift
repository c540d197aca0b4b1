import VaultCore
import VaultStore

/// The rows of one vault copied from a transaction of one store into a write transaction of
/// another, each with its id, a page at a time (`StoreMigration`). Parents go before the rows
/// that name them: the partner before the customers, accounts before their versions, logins,
/// sessions. The audit log goes verbatim, MACs and head included (`copyAudit`).
struct RowCopy {
    let src: any StoreTransaction
    let dst: any StoreTransaction
    let page: Int

    init(from src: any StoreTransaction, to dst: any StoreTransaction, page: Int) {
        self.src = src
        self.dst = dst
        self.page = page
    }

    /// Every row; `head` is the source's audit head (nil for an empty log).
    func all(head: AuditChain.Head?) throws {
        let partner = try src.partner()
        if var p = partner { try dst.insert(&p) }
        try pages({ try src.accountRows(after: $0, limit: page) }, key: { try $0.storedID }) { rows in
            for var a in rows where a.id != partner?.id { try dst.insert(&a) }
        }
        try pages({ try src.versionRows(after: $0, limit: page) }, key: { try $0.storedID }) { rows in
            for var v in rows { try dst.insert(&v) }
        }
        // At most one of each per account, and few: read whole.
        for var r in try src.allLoginCredentials() { try dst.save(&r) }
        for var r in try src.sessions() { try dst.save(&r) }
        for var k in try src.signingKeys() { try dst.insert(&k) }
        try pages({ try src.auditEvents(after: $0, limit: page) }, key: { $0.seq }) { rows in
            try dst.copyAudit(rows, head: nil)
        }
        try dst.copyAudit([], head: head)
    }

    /// Calls `body` with each page `read` answers after the key of the last row of the page
    /// before, until a page comes back short.
    private func pages<R>(_ read: (Int64) throws -> [R], key: (R) throws -> Int64, _ body: ([R]) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            let rows = try read(after)
            if !rows.isEmpty { try body(rows) }
            guard rows.count == page, let last = rows.last else { return }
            after = try key(last)
        }
    }
}
